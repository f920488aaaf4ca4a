// validate_profile: the runtime spec's seccomp rules, checked before anything is compiled so
// the error points at the field the user wrote.
#include <string>

#include "seccomp/names.h"
#include "seccomp/profile.h"

namespace hako::seccomp {
namespace {

// Largest value the kernel's SECCOMP_RET_DATA can carry; libseccomp would silently mask more.
constexpr uint32_t kMaxRetData = 0xffff;
// seccomp_data.args has six entries.
constexpr uint32_t kSyscallArgs = 6;

std::string indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

Status check_action(std::string_view action, std::optional<uint32_t> errno_ret,
                    std::string_view path, std::string_view errno_path) {
  if (action.empty()) return invalid_argument(std::string(path) + ": required");
  auto a = find_action(action);
  if (!a) return invalid_argument(std::string(path) + ": unknown action " + in_quotes(action));
  if (errno_ret && !takes_errno(*a))
    return invalid_argument(std::string(errno_path) + ": " + std::string(action) +
                            " does not take an errno return value");
  if (errno_ret && *errno_ret > kMaxRetData)
    return invalid_argument(std::string(errno_path) + ": " + std::to_string(*errno_ret) +
                            " is out of range (at most 65535)");
  return ok();
}

Status check_syscall(const oci::SeccompSyscall& call, const std::string& path) {
  if (call.names.empty())
    return invalid_argument(path + ".names: must contain at least one syscall name");
  HAKO_TRY(check_action(call.action, call.errno_ret, path + ".action", path + ".errnoRet"));
  for (size_t j = 0; j < call.args.size(); ++j) {
    const oci::SeccompArg& arg = call.args[j];
    std::string arg_path = indexed(path + ".args", j);
    if (arg.index >= kSyscallArgs)
      return invalid_argument(arg_path + ".index: " + std::to_string(arg.index) +
                              " is out of range (syscall arguments are 0 to 5)");
    if (!find_op(arg.op))
      return invalid_argument(arg_path + ".op: unknown operator " + in_quotes(arg.op));
  }
  return ok();
}

}  // namespace

Status validate_profile(const oci::Seccomp& p) {
  HAKO_TRY(check_action(p.default_action, p.default_errno_ret, "defaultAction", "defaultErrnoRet"));
  // The process installing the filter still has to hand the listener fd to the runtime, and an
  // agent can only be told about the container after that: with NOTIFY as the default both
  // would wait on each other (runc refuses it for the same reason).
  if (p.default_action == "SCMP_ACT_NOTIFY")
    return invalid_argument("defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  for (size_t i = 0; i < p.architectures.size(); ++i)
    if (!find_arch(p.architectures[i]))
      return invalid_argument(indexed("architectures", i) + ": unknown architecture " +
                              in_quotes(p.architectures[i]));
  for (size_t i = 0; i < p.flags.size(); ++i)
    if (!find_flag(p.flags[i]))
      return invalid_argument(indexed("flags", i) + ": unknown flag " + in_quotes(p.flags[i]));
  if (!p.listener_metadata.empty() && p.listener_path.empty())
    return invalid_argument("listenerMetadata: must not be set without listenerPath");
  for (size_t i = 0; i < p.syscalls.size(); ++i)
    HAKO_TRY(check_syscall(p.syscalls[i], indexed("syscalls", i)));
  return ok();
}

}  // namespace hako::seccomp
