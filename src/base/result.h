// Result<T> and Error: how every fallible hako function reports failure.
//
// Result<T> is shaped like C++23 std::expected<T, Error> (has_value, value, error, operator*,
// operator->) so it can become an alias later. Status is Result<void>. hako code never throws;
// a third-party call that can throw is wrapped at its single call site.
//
// An Error carries a category (mapped to exit codes and HTTP statuses at the edges only), the
// errno if one caused it, and a message that grows a context chain as it travels up:
//   "create container c1: mount proc on /proc: permission denied".
// Thread safety: values; no shared state.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hako {

enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kResourceExhausted,
  kUnavailable,
  kNotImplemented,
  kInternal,
};

std::string_view error_code_name(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message, int sys_errno = 0)
      : code_(code), errno_(sys_errno), message_(std::move(message)) {}

  // "what: strerror(err)", categorised from the errno (ENOENT → kNotFound, EPERM → ...).
  static Error from_errno(int err, std::string_view what);

  ErrorCode code() const { return code_; }
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  // Prepends "what: " to the message; used as the error travels up.
  Error&& context(std::string_view what) && {
    message_.insert(0, std::string(what) + ": ");
    return std::move(*this);
  }
  Error& context(std::string_view what) & {
    message_.insert(0, std::string(what) + ": ");
    return *this;
  }

 private:
  ErrorCode code_;
  int errno_;
  std::string message_;
};

inline Error invalid_argument(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}
inline Error not_found(std::string message) {
  return Error(ErrorCode::kNotFound, std::move(message));
}
inline Error failed_precondition(std::string message) {
  return Error(ErrorCode::kFailedPrecondition, std::move(message));
}
inline Error internal_error(std::string message) {
  return Error(ErrorCode::kInternal, std::move(message));
}
inline Error not_implemented(std::string message) {
  return Error(ErrorCode::kNotImplemented, std::move(message));
}
// Error::from_errno(errno, what), for the common "a syscall just failed" case.
inline Error sys_error(std::string_view what) { return Error::from_errno(errno, what); }

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Error& error() & { return std::get<1>(v_); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  void value() const {}

  Error& error() & { return error_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok() { return {}; }

}  // namespace hako

#define HAKO_CONCAT_INNER(a, b) a##b
#define HAKO_CONCAT(a, b) HAKO_CONCAT_INNER(a, b)

// HAKO_TRY(expr): evaluates a Result/Status; on error, returns the error from the caller.
#define HAKO_TRY(expr)                                                 \
  do {                                                                 \
    auto&& hako_try_result_ = (expr);                                  \
    if (!hako_try_result_) return std::move(hako_try_result_).error(); \
  } while (0)

// HAKO_TRY_CTX(expr, context): as HAKO_TRY, prepending "context: " to the error.
#define HAKO_TRY_CTX(expr, ctx)                                                     \
  do {                                                                              \
    auto&& hako_try_result_ = (expr);                                               \
    if (!hako_try_result_) return std::move(hako_try_result_).error().context(ctx); \
  } while (0)

// HAKO_TRY_ASSIGN(decl, expr): `decl = *expr` or return its error.
#define HAKO_TRY_ASSIGN(decl, expr) HAKO_TRY_ASSIGN_IMPL(HAKO_CONCAT(hako_r_, __LINE__), decl, expr)
#define HAKO_TRY_ASSIGN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                          \
  if (!tmp) return std::move(tmp).error();    \
  decl = std::move(tmp).value()
