// The cgroup v2 device controller: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE that the
// kernel runs on every device open and mknod in the cgroup (v2 has no devices.allow file).
//
// device_filter_program() is pure: it turns a DevicePolicy into instructions (one block per
// exception, first match decides, then the default), so unit tests run it in a small interpreter.
// attach_device_filter() loads it and attaches it to a cgroup2 directory with BPF_F_ALLOW_MULTI,
// so programs attached to ancestors (systemd's) keep applying too; it needs CAP_SYS_ADMIN or
// CAP_BPF. The kernel holds the attached program; the loaded fd is closed before returning, and
// rmdir of the cgroup detaches it. Thread safe.
#pragma once

#include <linux/bpf.h>

#include <string_view>
#include <vector>

#include "base/result.h"
#include "cgroup/device_rules.h"

namespace hako::cgroup {

std::vector<bpf_insn> device_filter_program(const DevicePolicy& policy);

Status attach_device_filter(int cgroup_dir_fd, std::string_view cgroup_path,
                            const std::vector<bpf_insn>& program);

}  // namespace hako::cgroup
