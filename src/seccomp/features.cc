#include "seccomp/features.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "seccomp/names.h"

namespace hako::seccomp {

// The kernel checks the flags before the program: with a null program a flag it knows gives
// EFAULT, one it does not EINVAL (libseccomp probes the same way).
static bool kernel_accepts_flag(uint32_t flag) {
  errno = 0;
  long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, nullptr);
  return r < 0 && errno == EFAULT;
}

// A filter holds architectures of one byte order only: each is tried in a filter of its own,
// emptied of the native one first.
static bool arch_supported(uint32_t token) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) return false;
  uint32_t native = seccomp_arch_native();
  int r = token == native ? 0 : seccomp_arch_remove(ctx, native);
  if (r == 0 && token != native) r = seccomp_arch_add(ctx, token);
  seccomp_release(ctx);
  return r == 0;
}

Vocabulary vocabulary() {
  Vocabulary v;
  for (auto name : action_names()) v.actions.emplace_back(name);
  for (auto name : op_names()) v.operators.emplace_back(name);
  for (auto name : arch_names()) {
    if (arch_supported(*find_arch(name))) v.archs.emplace_back(name);
  }
  for (auto name : flag_names()) {
    v.known_flags.emplace_back(name);
    auto info = find_flag(name);
    if (info && info->supported && kernel_accepts_flag(info->kernel_value))
      v.supported_flags.emplace_back(name);
  }
  std::sort(v.actions.begin(), v.actions.end());
  std::sort(v.operators.begin(), v.operators.end());
  std::sort(v.archs.begin(), v.archs.end());
  const scmp_version* ver = seccomp_version();
  if (ver)
    v.libseccomp_version = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." +
                           std::to_string(ver->micro);
  return v;
}

}  // namespace hako::seccomp
