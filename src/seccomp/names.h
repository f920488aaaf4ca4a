// The seccomp vocabulary of OCI and Docker profiles: action, architecture, comparison and flag
// names mapped to libseccomp and kernel values, plus the host architecture's names in each
// naming scheme (uname, Docker's "arches", libseccomp's SCMP_ARCH_*).
//
// Internal to the seccomp module. Constant tables and pure lookups; thread safe.
#pragma once

#include <seccomp.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace hako::seccomp {

enum class Action {
  kKill,
  kKillProcess,
  kKillThread,
  kTrap,
  kErrno,
  kTrace,
  kAllow,
  kLog,
  kNotify
};

std::optional<Action> find_action(std::string_view name);  // "SCMP_ACT_ERRNO"
// Only ERRNO and TRACE carry a return value; the runtime spec says any other action given an
// errnoRet is an error, not something to ignore.
bool takes_errno(Action action);
// The libseccomp action value; ERRNO and TRACE default to EPERM as runc and crun do.
uint32_t action_value(Action action, std::optional<uint32_t> errno_ret);

std::optional<uint32_t> find_arch(std::string_view name);    // "SCMP_ARCH_X86_64" → token
std::optional<scmp_compare> find_op(std::string_view name);  // "SCMP_CMP_EQ"

struct FlagInfo {
  uint32_t kernel_value;  // SECCOMP_FILTER_FLAG_*
  bool supported;         // settable through libseccomp 2.5, hence by this build
};
std::optional<FlagInfo> find_flag(std::string_view name);  // "SECCOMP_FILTER_FLAG_LOG"

// Every name the lookups above accept, in table order.
std::vector<std::string_view> action_names();
std::vector<std::string_view> arch_names();
std::vector<std::string_view> op_names();
std::vector<std::string_view> flag_names();

// One architecture under its three names.
struct ArchNames {
  std::string_view uname;   // `uname -m`: "x86_64"
  std::string_view docker;  // Docker profile "arches": "amd64"
  std::string_view scmp;    // "SCMP_ARCH_X86_64"
};
// Looks up by uname machine name (any "i?86" and "armv*" spelling) or by Docker's name.
std::optional<ArchNames> find_host_arch(std::string_view name);

}  // namespace hako::seccomp
