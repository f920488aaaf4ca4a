#include "base/result.h"

#include <cstring>

namespace hako {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kFailedPrecondition:
      return "failed precondition";
    case ErrorCode::kPermissionDenied:
      return "permission denied";
    case ErrorCode::kResourceExhausted:
      return "resource exhausted";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kNotImplemented:
      return "not implemented";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

static ErrorCode code_for_errno(int err) {
  switch (err) {
    case ENOENT:
    case ESRCH:
    case ENOTDIR:
      return ErrorCode::kNotFound;
    case EEXIST:
      return ErrorCode::kAlreadyExists;
    case EPERM:
    case EACCES:
    case EROFS:
      return ErrorCode::kPermissionDenied;
    case EINVAL:
    case ENAMETOOLONG:
    case ELOOP:
    case EXDEV:
      return ErrorCode::kInvalidArgument;
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case EAGAIN:
    case EDQUOT:
      return ErrorCode::kResourceExhausted;
    case EBUSY:
    case ETIMEDOUT:
      return ErrorCode::kUnavailable;
    case ENOSYS:
    case EOPNOTSUPP:
      return ErrorCode::kNotImplemented;
    default:
      return ErrorCode::kInternal;
  }
}

Error Error::from_errno(int err, std::string_view what) {
  // strerror gives "No such file or directory"; our messages are lower case.
  std::string text = std::strerror(err);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' &&
      !(text.size() > 1 && text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  std::string msg(what);
  msg += ": ";
  msg += text;
  return Error(code_for_errno(err), std::move(msg), err);
}

}  // namespace hako
