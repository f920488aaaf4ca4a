// Writers for cgroup v1 controllers: one function per controller, each turning its part of
// oci::Resources into writes to that controller's directory (runc's libcontainer/cgroups/fs
// rules, write order included). Internal to the cgroup module; Manager routes each resource to the
// v1 writer when a v1 hierarchy holds the controller. Stateless; thread safe.
#pragma once

#include <vector>

#include "base/result.h"
#include "cgroup/control_files.h"
#include "cgroup/device_rules.h"
#include "oci/spec.h"

namespace hako::cgroup::v1 {

Status apply_memory(const ControlFiles& dir, const oci::MemoryResources& m);
Status apply_cpu(const ControlFiles& dir, const oci::CpuResources& c);
Status apply_cpuset(const ControlFiles& dir, const oci::CpuResources& c);
// A new v1 cpuset starts with empty cpus and mems, and the kernel refuses to attach tasks to it
// (ENOSPC) until they are set: copy the parent's down into each empty level.
Status copy_cpuset_from_parent(const ControlFiles& parent, const ControlFiles& child);
Status apply_pids(const ControlFiles& dir, int64_t limit);
Status apply_blkio(const ControlFiles& dir, const oci::BlockIoResources& b);
Status apply_hugetlb(const ControlFiles& dir, const std::vector<oci::HugepageLimit>& limits);
Status apply_network(const ControlFiles& net_cls, const ControlFiles& net_prio,
                     const oci::NetworkResources& n);
// "a" to devices.deny (unless the rules start with a reset of their own), then every rule in order
// to devices.allow or devices.deny: the kernel folds them exactly as the spec means.
Status apply_devices(const ControlFiles& dir, const std::vector<DeviceRule>& rules);

}  // namespace hako::cgroup::v1
