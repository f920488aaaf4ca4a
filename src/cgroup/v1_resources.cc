#include "cgroup/v1_resources.h"

#include <cerrno>
#include <limits>
#include <string>

#include "base/strings.h"
#include "cgroup/resource_values.h"

namespace hako::cgroup::v1 {
namespace {

std::string str(int64_t v) { return std::to_string(v); }
std::string str(uint64_t v) { return std::to_string(v); }

std::string device_value(int64_t major, int64_t minor, uint64_t v) {
  return std::to_string(major) + ":" + std::to_string(minor) + " " + std::to_string(v);
}

// Writes a per-device weight; a device whose queue does not run bfq (or cfq) refuses it.
Status write_device_weight(const ControlFiles& dir, const std::string& file,
                           const std::string& value, const std::string& field) {
  Status s = dir.write(file, value, field);
  if (!s && s.error().sys_errno() == EOPNOTSUPP)
    return Error(ErrorCode::kNotImplemented,
                 field +
                     ": the kernel offers no blkio weight for this device here (its I/O "
                     "scheduler is not bfq; " +
                     value + ")",
                 EOPNOTSUPP);
  return s;
}

}  // namespace

Status apply_memory(const ControlFiles& dir, const oci::MemoryResources& m) {
  HAKO_TRY(reject_kernel_memory(m));
  // runc treats 0 as "not set" for the limits.
  int64_t limit = m.limit.value_or(0);
  int64_t swap = m.swap.value_or(0);
  int64_t reservation = m.reservation.value_or(0);
  if (limit > 0 && swap > 0 && swap < limit)
    return invalid_argument("linux.resources.memory.swap: memory+swap (" + str(swap) +
                            ") must be at least the memory limit (" + str(limit) + ")");
  // The kernel keeps memsw >= limit at every step. A fresh cgroup has both at the maximum:
  // lower the memory limit first, then memory+swap. An update that raises the limit above the
  // current memory+swap (`update --memory`) must raise memory+swap first (as runc does).
  bool swap_first = false;
  if (limit > 0 && swap != 0 && dir.present() && dir.has("memory.memsw.limit_in_bytes")) {
    auto current = dir.read("memory.memsw.limit_in_bytes");
    auto value = current ? parse_int64(trim(*current)) : std::nullopt;
    swap_first = value && limit > *value;
  }
  if (swap_first)
    HAKO_TRY(dir.write("memory.memsw.limit_in_bytes", str(swap), "linux.resources.memory.swap"));
  if (limit != 0)
    HAKO_TRY(dir.write("memory.limit_in_bytes", str(limit), "linux.resources.memory.limit"));
  if (swap != 0 && !swap_first) {
    if (!dir.present() || dir.has("memory.memsw.limit_in_bytes")) {
      HAKO_TRY(dir.write("memory.memsw.limit_in_bytes", str(swap), "linux.resources.memory.swap"));
    } else if (swap != -1 && swap != limit) {
      // Without swap accounting (swapaccount=0, or no CONFIG_MEMCG_SWAP) the kernel cannot limit
      // swap; -1 or swap == limit ask for nothing it would have to enforce.
      return failed_precondition(
          "linux.resources.memory.swap: swap accounting is off in this kernel (no "
          "memory.memsw.limit_in_bytes in " +
          dir.path() + "); set swap to -1 or to the memory limit");
    }
  }
  if (reservation != 0)
    HAKO_TRY(dir.write("memory.soft_limit_in_bytes", str(reservation),
                       "linux.resources.memory.reservation"));
  if (m.swappiness && *m.swappiness != std::numeric_limits<uint64_t>::max()) {
    if (*m.swappiness > 100)
      return invalid_argument("linux.resources.memory.swappiness: " + str(*m.swappiness) +
                              " is outside 0-100");
    HAKO_TRY(
        dir.write("memory.swappiness", str(*m.swappiness), "linux.resources.memory.swappiness"));
  }
  if (m.disable_oom_killer.value_or(false))
    HAKO_TRY(dir.write("memory.oom_control", "1", "linux.resources.memory.disableOOMKiller"));
  return ok();
}

Status apply_cpu(const ControlFiles& dir, const oci::CpuResources& c) {
  uint64_t shares = c.shares.value_or(0);
  if (shares != 0) {
    HAKO_TRY(dir.write("cpu.shares", str(shares), "linux.resources.cpu.shares"));
    // The kernel clamps shares to 2..262144 silently; say so instead of running with another value.
    HAKO_TRY_ASSIGN(std::string got, dir.read("cpu.shares"));
    auto applied = parse_uint64(trim(got));
    if (applied && *applied != shares)
      return invalid_argument("linux.resources.cpu.shares: " + str(shares) +
                              " is out of range; the " +
                              (shares > *applied ? "maximum" : "minimum") + " is " + str(*applied));
  }

  // Period, burst and quota depend on each other: the kernel rejects a period (EINVAL) whose
  // old_quota/new_period exceeds the parent's bandwidth, and a burst above the quota. As runc
  // does, an EINVAL is retried once after the quota is written.
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  bool retry_period = false, retry_burst = false;
  if (period != 0) {
    Status s = dir.write("cpu.cfs_period_us", str(period), "linux.resources.cpu.period");
    if (!s) {
      if (s.error().sys_errno() != EINVAL || quota == 0) return s;
      retry_period = true;
    }
  }
  if (c.burst) {
    Status s = dir.write("cpu.cfs_burst_us", str(*c.burst), "linux.resources.cpu.burst");
    // An old kernel without burst support is fine when no burst is asked for.
    bool absent_and_zero = !s && s.error().sys_errno() == ENOENT && *c.burst == 0;
    if (!s && !absent_and_zero) {
      if (s.error().sys_errno() != EINVAL || quota == 0) return s;
      retry_burst = true;
    }
  }
  if (quota != 0) {
    HAKO_TRY(dir.write("cpu.cfs_quota_us", str(quota), "linux.resources.cpu.quota"));
    if (retry_period)
      HAKO_TRY(dir.write("cpu.cfs_period_us", str(period), "linux.resources.cpu.period"));
    if (retry_burst)
      HAKO_TRY(dir.write("cpu.cfs_burst_us", str(*c.burst), "linux.resources.cpu.burst"));
  }

  // Realtime: same dance between period and runtime.
  uint64_t rt_period = c.realtime_period.value_or(0);
  int64_t rt_runtime = c.realtime_runtime.value_or(0);
  retry_period = false;
  if (rt_period != 0) {
    Status s = dir.write("cpu.rt_period_us", str(rt_period), "linux.resources.cpu.realtimePeriod");
    if (!s) {
      if (s.error().sys_errno() != EINVAL || rt_runtime == 0) return s;
      retry_period = true;
    }
  }
  if (rt_runtime != 0) {
    Status s =
        dir.write("cpu.rt_runtime_us", str(rt_runtime), "linux.resources.cpu.realtimeRuntime");
    // The kernel hands out realtime time top-down: a child gets none until every ancestor below
    // the root has been given a budget of its own (sched-rt-group.rst).
    if (!s && s.error().sys_errno() == EINVAL)
      return Error(
          ErrorCode::kFailedPrecondition,
          s.error().message() + " (give the parent cgroups a cpu.rt_runtime_us budget first)",
          EINVAL);
    HAKO_TRY(std::move(s));
    if (retry_period)
      HAKO_TRY(dir.write("cpu.rt_period_us", str(rt_period), "linux.resources.cpu.realtimePeriod"));
  }
  if (c.idle) HAKO_TRY(dir.write("cpu.idle", str(*c.idle), "linux.resources.cpu.idle"));
  return ok();
}

Status copy_cpuset_from_parent(const ControlFiles& parent, const ControlFiles& child) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    HAKO_TRY_ASSIGN(std::string mine, child.read(file));
    if (!trim(mine).empty()) continue;
    HAKO_TRY_ASSIGN(std::string theirs, parent.read(file));
    std::string value(trim(theirs));
    if (value.empty()) continue;
    HAKO_TRY(child.write(file, value, std::string("populate ") + file + " from the parent cgroup"));
  }
  return ok();
}

Status apply_cpuset(const ControlFiles& dir, const oci::CpuResources& c) {
  if (!c.cpus.empty()) HAKO_TRY(dir.write("cpuset.cpus", c.cpus, "linux.resources.cpu.cpus"));
  if (!c.mems.empty()) HAKO_TRY(dir.write("cpuset.mems", c.mems, "linux.resources.cpu.mems"));
  return ok();
}

Status apply_pids(const ControlFiles& dir, int64_t limit) {
  return dir.write("pids.max", pids_max_value(limit), "linux.resources.pids.limit");
}

Status apply_blkio(const ControlFiles& dir, const oci::BlockIoResources& b) {
  // bfq exposes blkio.bfq.weight*, the legacy cfq scheduler blkio.weight* (gone since Linux 5.0).
  // Neither exists when bfq is not built: a weight then cannot be had on this kernel.
  const bool bfq = dir.has("blkio.bfq.weight");
  const std::string weight_file = bfq ? "blkio.bfq.weight" : "blkio.weight";
  const std::string weight_device_file = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
  auto no_weight = [&](const std::string& field) {
    return Error(ErrorCode::kNotImplemented,
                 field +
                     ": the kernel offers no blkio weight here (neither blkio.weight nor "
                     "blkio.bfq.weight exists in " +
                     dir.path() + "; weights need the bfq I/O scheduler)");
  };
  if (b.weight && *b.weight != 0) {
    if (dir.present() && !bfq && !dir.has("blkio.weight"))
      return no_weight("linux.resources.blockIO.weight");
    HAKO_TRY(dir.write(weight_file, str(uint64_t{*b.weight}), "linux.resources.blockIO.weight"));
  }
  if (b.leaf_weight && *b.leaf_weight != 0) {
    if (dir.present() && !dir.has("blkio.leaf_weight"))
      return Error(
          ErrorCode::kNotImplemented,
          "linux.resources.blockIO.leafWeight: the kernel offers no blkio leaf weight here "
          "(blkio.leaf_weight went with the cfq scheduler)");
    HAKO_TRY(dir.write("blkio.leaf_weight", str(uint64_t{*b.leaf_weight}),
                       "linux.resources.blockIO.leafWeight"));
  }
  for (size_t i = 0; i < b.weight_device.size(); ++i) {
    const auto& wd = b.weight_device[i];
    std::string field = "linux.resources.blockIO.weightDevice[" + std::to_string(i) + "]";
    if (wd.weight && *wd.weight != 0) {
      if (dir.present() && !dir.has(weight_device_file)) return no_weight(field + ".weight");
      HAKO_TRY(write_device_weight(dir, weight_device_file,
                                   device_value(wd.major, wd.minor, *wd.weight),
                                   field + ".weight"));
    }
    if (wd.leaf_weight && *wd.leaf_weight != 0)
      HAKO_TRY(write_device_weight(dir, "blkio.leaf_weight_device",
                                   device_value(wd.major, wd.minor, *wd.leaf_weight),
                                   field + ".leafWeight"));
  }
  struct Throttle {
    const std::vector<oci::ThrottleDevice>* list;
    const char* file;
    const char* field;
  };
  const Throttle throttles[] = {
      {&b.throttle_read_bps_device, "blkio.throttle.read_bps_device", "throttleReadBpsDevice"},
      {&b.throttle_write_bps_device, "blkio.throttle.write_bps_device", "throttleWriteBpsDevice"},
      {&b.throttle_read_iops_device, "blkio.throttle.read_iops_device", "throttleReadIOPSDevice"},
      {&b.throttle_write_iops_device, "blkio.throttle.write_iops_device",
       "throttleWriteIOPSDevice"},
  };
  for (const auto& t : throttles)
    for (size_t i = 0; i < t.list->size(); ++i) {
      const auto& d = (*t.list)[i];
      // One device per write: the file is a command interface, not a table to replace.
      HAKO_TRY(dir.write(
          t.file, device_value(d.major, d.minor, d.rate),
          std::string("linux.resources.blockIO.") + t.field + "[" + std::to_string(i) + "]"));
    }
  return ok();
}

Status apply_hugetlb(const ControlFiles& dir, const std::vector<oci::HugepageLimit>& limits) {
  for (size_t i = 0; i < limits.size(); ++i) {
    const auto& l = limits[i];
    std::string field = "linux.resources.hugepageLimits[" + std::to_string(i) + "]";
    HAKO_TRY(check_page_size(l.page_size, field));
    std::string prefix = "hugetlb." + l.page_size;
    HAKO_TRY(dir.write(prefix + ".limit_in_bytes", str(l.limit), field + ".limit"));
    // Since Linux 5.7 reservations are accounted separately; limit them too so a mapping cannot
    // reserve pages it could never fault in (runc 1.2 does the same).
    if (dir.has(prefix + ".rsvd.limit_in_bytes"))
      HAKO_TRY(dir.write(prefix + ".rsvd.limit_in_bytes", str(l.limit), field + ".limit"));
  }
  return ok();
}

Status apply_network(const ControlFiles& net_cls, const ControlFiles& net_prio,
                     const oci::NetworkResources& n) {
  if (n.class_id)
    HAKO_TRY(net_cls.write("net_cls.classid", str(uint64_t{*n.class_id}),
                           "linux.resources.network.classID"));
  for (size_t i = 0; i < n.priorities.size(); ++i) {
    const auto& p = n.priorities[i];
    std::string field = "linux.resources.network.priorities[" + std::to_string(i) + "]";
    if (p.name.empty() || p.name.find_first_of(" \t\n/") != std::string::npos)
      return invalid_argument(field + ".name: \"" + p.name + "\" is not an interface name");
    HAKO_TRY(net_prio.write("net_prio.ifpriomap", p.name + " " + str(uint64_t{p.priority}), field));
  }
  return ok();
}

Status apply_devices(const ControlFiles& dir, const std::vector<DeviceRule>& rules) {
  if (rules.empty() || !rules.front().is_reset())
    HAKO_TRY(dir.write("devices.deny", "a", "linux.resources.devices"));
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    HAKO_TRY(dir.write(r.allow ? "devices.allow" : "devices.deny", r.to_v1(),
                       "linux.resources.devices (rule \"" + r.to_v1() + "\")"));
  }
  return ok();
}

}  // namespace hako::cgroup::v1
