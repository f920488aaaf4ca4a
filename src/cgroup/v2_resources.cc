#include "cgroup/v2_resources.h"

#include <algorithm>
#include <cerrno>
#include <limits>

#include "base/strings.h"
#include "cgroup/resource_values.h"

namespace hako::cgroup::v2 {
namespace {

std::string str(int64_t v) { return std::to_string(v); }
std::string str(uint64_t v) { return std::to_string(v); }
std::string dev(int64_t major, int64_t minor) { return str(major) + ":" + str(minor); }

Error unsupported(const std::string& field, const std::string& why) {
  return Error(ErrorCode::kNotImplemented, field + ": not supported on cgroup v2 (" + why + ")");
}

}  // namespace

Status apply_memory(const ControlFiles& dir, const oci::MemoryResources& m) {
  HAKO_TRY(reject_kernel_memory(m));
  if (m.swappiness && *m.swappiness != std::numeric_limits<uint64_t>::max())
    return unsupported("linux.resources.memory.swappiness", "there is no per-cgroup swappiness");
  if (m.disable_oom_killer.value_or(false))
    return unsupported("linux.resources.memory.disableOOMKiller",
                       "the OOM killer cannot be disabled per cgroup");
  int64_t limit = m.limit.value_or(0);
  HAKO_TRY_ASSIGN(int64_t swap, memory_swap_to_v2(m.swap.value_or(0), limit));
  // Swap first: memory.max and memory.swap.max are independent on v2, but a later memory.max
  // failure should not leave swap unlimited while memory is limited.
  if (swap != 0) {
    std::string value = v2_limit_value(swap);
    Status s = dir.write("memory.swap.max", value, "linux.resources.memory.swap");
    // Without swap accounting there is no memory.swap.max; "unlimited" and "no swap" are then
    // already the truth (runc ignores these two the same way).
    if (!s && !(s.error().sys_errno() == ENOENT && (value == "max" || value == "0"))) return s;
  }
  if (limit != 0)
    HAKO_TRY(dir.write("memory.max", v2_limit_value(limit), "linux.resources.memory.limit"));
  int64_t reservation = m.reservation.value_or(0);
  if (reservation != 0)
    HAKO_TRY(
        dir.write("memory.low", v2_limit_value(reservation), "linux.resources.memory.reservation"));
  return ok();
}

Status apply_cpu(const ControlFiles& dir, const oci::CpuResources& c) {
  if (c.realtime_runtime.value_or(0) != 0 || c.realtime_period.value_or(0) != 0)
    return unsupported("linux.resources.cpu.realtimeRuntime",
                       "cgroup v2 has no realtime bandwidth");
  if (c.idle) HAKO_TRY(dir.write("cpu.idle", str(*c.idle), "linux.resources.cpu.idle"));
  if (c.shares.value_or(0) != 0)
    HAKO_TRY(dir.write("cpu.weight", str(cpu_shares_to_weight(*c.shares)),
                       "linux.resources.cpu.shares"));
  bool burst_pending = false;
  if (c.burst) {
    Status s = dir.write("cpu.max.burst", str(*c.burst), "linux.resources.cpu.burst");
    // The kernel rejects a burst above the current quota: retry after cpu.max (runc does).
    if (!s) {
      if (s.error().sys_errno() == ENOENT && *c.burst == 0) {
        // no burst support and none wanted
      } else if (s.error().sys_errno() == EINVAL) {
        burst_pending = true;
      } else {
        return s;
      }
    }
  }
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  if (quota != 0 || period != 0) {
    // "$MAX $PERIOD": "max" when unlimited; the period may be left out to keep the current one.
    std::string value = quota > 0 ? str(quota) : "max";
    if (period != 0) value += " " + str(period);
    HAKO_TRY(dir.write("cpu.max", value, "linux.resources.cpu.quota"));
  }
  if (burst_pending)
    HAKO_TRY(dir.write("cpu.max.burst", str(*c.burst), "linux.resources.cpu.burst"));
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

Status apply_io(const ControlFiles& dir, const oci::BlockIoResources& b) {
  if (b.leaf_weight.value_or(0) != 0)
    return unsupported("linux.resources.blockIO.leafWeight", "there are no leaf weights");
  // bfq takes blkio-style weights (1..1000) in io.bfq.weight; otherwise io.weight (iocost) takes
  // 1..10000, converted.
  const bool bfq = dir.has("io.bfq.weight");
  auto weight_value = [&](uint64_t w) { return bfq ? str(w) : str(blkio_weight_to_io_weight(w)); };
  const char* weight_file = bfq ? "io.bfq.weight" : "io.weight";
  if (b.weight.value_or(0) != 0)
    HAKO_TRY(dir.write(weight_file, weight_value(*b.weight), "linux.resources.blockIO.weight"));
  for (size_t i = 0; i < b.weight_device.size(); ++i) {
    const auto& wd = b.weight_device[i];
    std::string field = "linux.resources.blockIO.weightDevice[" + std::to_string(i) + "]";
    if (wd.leaf_weight.value_or(0) != 0)
      return unsupported(field + ".leafWeight", "there are no leaf weights");
    if (wd.weight.value_or(0) == 0) continue;
    Status s = dir.write(weight_file, dev(wd.major, wd.minor) + " " + weight_value(*wd.weight),
                         field + ".weight");
    if (!s && s.error().sys_errno() == EOPNOTSUPP)
      return Error(ErrorCode::kNotImplemented,
                   field + ".weight: the kernel offers no io weight for device " +
                       dev(wd.major, wd.minor) +
                       " here (its I/O scheduler is not bfq and iocost is off)",
                   EOPNOTSUPP);
    HAKO_TRY(std::move(s));
  }
  struct Throttle {
    const std::vector<oci::ThrottleDevice>* list;
    const char* key;
    const char* field;
  };
  const Throttle throttles[] = {
      {&b.throttle_read_bps_device, "rbps", "throttleReadBpsDevice"},
      {&b.throttle_write_bps_device, "wbps", "throttleWriteBpsDevice"},
      {&b.throttle_read_iops_device, "riops", "throttleReadIOPSDevice"},
      {&b.throttle_write_iops_device, "wiops", "throttleWriteIOPSDevice"},
  };
  for (const auto& t : throttles)
    for (size_t i = 0; i < t.list->size(); ++i) {
      const auto& d = (*t.list)[i];
      HAKO_TRY(dir.write(
          "io.max", dev(d.major, d.minor) + " " + t.key + "=" + str(d.rate),
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
    HAKO_TRY(dir.write(prefix + ".max", str(l.limit), field + ".limit"));
    if (dir.has(prefix + ".rsvd.max"))
      HAKO_TRY(dir.write(prefix + ".rsvd.max", str(l.limit), field + ".limit"));
  }
  return ok();
}

Status apply_unified(const ControlFiles& dir, const std::map<std::string, std::string>& unified) {
  for (const auto& [key, value] : unified) {
    HAKO_TRY(check_unified_key(key));
    std::string field = "linux.resources.unified[\"" + key + "\"]";
    for (const auto& line : split(value, '\n')) {
      if (trim(line).empty()) continue;
      Status s = dir.write(key, line, field);
      if (!s && s.error().sys_errno() == ENOENT)
        return Error(ErrorCode::kNotImplemented,
                     field + ": no such file in " + dir.path() + " (is the " +
                         key.substr(0, key.find('.')) + " controller available on cgroup v2 here?)",
                     ENOENT);
      HAKO_TRY(std::move(s));
    }
  }
  return ok();
}

void enable_controllers(const ControlFiles& parent, const std::set<std::string>& wanted, bool all) {
  auto offered = parent.read("cgroup.controllers");
  auto enabled = parent.read("cgroup.subtree_control");
  if (!offered) return;
  auto on = enabled ? split(trim(*enabled), ' ') : std::vector<std::string>{};
  std::vector<std::string> add;
  for (const auto& c : split(trim(*offered), ' ')) {
    if (c.empty() || (!all && !wanted.count(c))) continue;
    if (std::find(on.begin(), on.end(), c) != on.end()) continue;
    add.push_back("+" + c);
  }
  if (add.empty()) return;
  if (parent.write("cgroup.subtree_control", join(add, " "), "enable controllers")) return;
  // One refused controller fails the whole write; enable the others one by one.
  for (const auto& a : add) (void)parent.write("cgroup.subtree_control", a, "enable controllers");
}

}  // namespace hako::cgroup::v2
