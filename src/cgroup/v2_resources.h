// Writers for cgroup v2 controllers: one function per controller, turning its part of
// oci::Resources into writes to the container's cgroup2 directory (runc's libcontainer/cgroups/fs2
// rules and conversions: shares to cpu.weight, memory+swap to swap alone, blkio weights to
// io.weight). Internal to the cgroup module; Manager routes each resource here when no v1
// hierarchy holds its controller (pure v2, or hybrid's cgroup2 part). Stateless; thread safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "cgroup/control_files.h"
#include "oci/spec.h"

namespace hako::cgroup::v2 {

Status apply_memory(const ControlFiles& dir, const oci::MemoryResources& m);
Status apply_cpu(const ControlFiles& dir, const oci::CpuResources& c);
Status apply_cpuset(const ControlFiles& dir, const oci::CpuResources& c);
Status apply_pids(const ControlFiles& dir, int64_t limit);
Status apply_io(const ControlFiles& dir, const oci::BlockIoResources& b);
Status apply_hugetlb(const ControlFiles& dir, const std::vector<oci::HugepageLimit>& limits);
// Raw key/values, written last so they override; a multi-line value is written line by line.
Status apply_unified(const ControlFiles& dir, const std::map<std::string, std::string>& unified);

// Makes `wanted` controllers (or, with `all`, every controller the parent offers) available to the
// parent's children by writing "+name" to its cgroup.subtree_control. Best effort, as runc: a
// controller that cannot be enabled (the parent holds processes, or it is on v1) shows up later as
// a missing file, with an error naming the field.
void enable_controllers(const ControlFiles& parent, const std::set<std::string>& wanted, bool all);

}  // namespace hako::cgroup::v2
