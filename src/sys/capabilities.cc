#include "sys/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strings.h"
#include "sys/file.h"

namespace hako::sys {

static constexpr const char* kNames[] = {"CAP_CHOWN",
                                         "CAP_DAC_OVERRIDE",
                                         "CAP_DAC_READ_SEARCH",
                                         "CAP_FOWNER",
                                         "CAP_FSETID",
                                         "CAP_KILL",
                                         "CAP_SETGID",
                                         "CAP_SETUID",
                                         "CAP_SETPCAP",
                                         "CAP_LINUX_IMMUTABLE",
                                         "CAP_NET_BIND_SERVICE",
                                         "CAP_NET_BROADCAST",
                                         "CAP_NET_ADMIN",
                                         "CAP_NET_RAW",
                                         "CAP_IPC_LOCK",
                                         "CAP_IPC_OWNER",
                                         "CAP_SYS_MODULE",
                                         "CAP_SYS_RAWIO",
                                         "CAP_SYS_CHROOT",
                                         "CAP_SYS_PTRACE",
                                         "CAP_SYS_PACCT",
                                         "CAP_SYS_ADMIN",
                                         "CAP_SYS_BOOT",
                                         "CAP_SYS_NICE",
                                         "CAP_SYS_RESOURCE",
                                         "CAP_SYS_TIME",
                                         "CAP_SYS_TTY_CONFIG",
                                         "CAP_MKNOD",
                                         "CAP_LEASE",
                                         "CAP_AUDIT_WRITE",
                                         "CAP_AUDIT_CONTROL",
                                         "CAP_SETFCAP",
                                         "CAP_MAC_OVERRIDE",
                                         "CAP_MAC_ADMIN",
                                         "CAP_SYSLOG",
                                         "CAP_WAKE_ALARM",
                                         "CAP_BLOCK_SUSPEND",
                                         "CAP_AUDIT_READ",
                                         "CAP_PERFMON",
                                         "CAP_BPF",
                                         "CAP_CHECKPOINT_RESTORE"};
static constexpr int kKnown = sizeof kNames / sizeof kNames[0];

Result<int> capability_number(const std::string& name) {
  for (int i = 0; i < kKnown; ++i) {
    if (name == kNames[i]) return i;
  }
  return invalid_argument("unknown capability \"" + name + "\"");
}

const char* capability_name(int number) {
  return number >= 0 && number < kKnown ? kNames[number] : nullptr;
}

int last_capability() {
  auto text = read_file("/proc/sys/kernel/cap_last_cap", 64);
  if (text) {
    if (auto n = parse_int64(trim(*text))) return static_cast<int>(*n);
  }
  return kKnown - 1;
}

Result<uint64_t> capability_mask(const std::vector<std::string>& names, const std::string& field) {
  uint64_t mask = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    auto n = capability_number(names[i]);
    if (!n) return std::move(n).error().context(field + "[" + std::to_string(i) + "]");
    mask |= uint64_t(1) << *n;
  }
  return mask;
}

Status drop_bounding_capabilities(uint64_t bounding) {
  int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    if (bounding & (uint64_t(1) << cap)) continue;
    // EINVAL: the kernel does not know this capability; nothing to drop.
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      return sys_error(std::string("drop capability ") +
                       (capability_name(cap) ? capability_name(cap) : "?") +
                       " from the bounding set");
  }
  return ok();
}

Status set_capabilities(const CapSets& sets) {
  int last = last_capability();
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int i = 0; i < 2; ++i) {
    data[i].effective = static_cast<uint32_t>(sets.effective >> (32 * i));
    data[i].permitted = static_cast<uint32_t>(sets.permitted >> (32 * i));
    data[i].inheritable = static_cast<uint32_t>(sets.inheritable >> (32 * i));
  }
  if (::syscall(SYS_capset, &header, data) != 0) return sys_error("set capabilities");
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return sys_error("clear ambient capabilities");
  for (int cap = 0; cap <= last; ++cap) {
    if (!(sets.ambient & (uint64_t(1) << cap))) continue;
    // Raising an ambient cap needs it permitted and inheritable. Specs written by `runc spec`
    // list ambient caps without inheritable ones and runc ignores the failure; so do we, or
    // such configs would not run.
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
  }
  return ok();
}

}  // namespace hako::sys
