// Stats: a container's resource usage read from its cgroup files, on v1, v2 and hybrid layouts,
// with the values runc's libcontainer reads (and in its units: nanoseconds, bytes), so that
// `hako-runtime events` can print them in runc's shape.
//
// read_stats() takes each statistic from the v1 hierarchy holding its controller, else from the
// cgroup2 directory (on this machine's hybrid layout: hugetlb from cgroup2, the rest from v1). A
// file the kernel does not offer leaves its values at zero; a controller that is not mounted
// leaves its whole group at zero. Only a cgroup that is gone altogether is an error.
//
// OomWatch is an fd that becomes readable when the kernel OOM-kills in the cgroup: on v1 an
// eventfd registered for memory.oom_control through cgroup.event_control, on v2 an inotify
// watch on memory.events whose oom_kill counter is compared with the last value seen.
// Values and one owned fd (OomWatch, move-only); not thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "cgroup/manager.h"

namespace hako::cgroup {

struct MemoryEntry {
  uint64_t limit = 0;  // v2 "max" is UINT64_MAX, as runc reports it
  uint64_t usage = 0;
  uint64_t max = 0;  // highest usage seen (v1 max_usage_in_bytes, v2 memory.peak)
  uint64_t failcnt = 0;
};

struct BlkioEntry {
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total"
  uint64_t value = 0;
  bool operator==(const BlkioEntry&) const = default;
};

struct HugetlbEntry {
  uint64_t usage = 0;
  uint64_t max = 0;
  uint64_t failcnt = 0;
};

struct Stats {
  struct Cpu {
    uint64_t total = 0, kernel = 0, user = 0;  // ns
    std::vector<uint64_t> percpu, percpu_kernel, percpu_user;
    uint64_t periods = 0, throttled_periods = 0, throttled_time = 0;  // throttled_time in ns
  } cpu;
  struct Memory {
    uint64_t cache = 0;
    MemoryEntry usage, swap, kernel, kernel_tcp;
    std::map<std::string, uint64_t> raw;  // memory.stat
  } memory;
  struct Pids {
    uint64_t current = 0;
    uint64_t limit = 0;  // 0: no limit ("max")
  } pids;
  struct Blkio {
    std::vector<BlkioEntry> service_bytes, serviced, queued, service_time, wait_time, merged, time,
        sectors;
  } blkio;
  std::map<std::string, HugetlbEntry> hugetlb;  // by page size: "2MB", "1GB"
};

// Reads every statistic of the container whose cgroup directories are `dirs` (as Manager::paths()).
Result<Stats> read_stats(const std::vector<CgroupDir>& dirs);

class OomWatch {
 public:
  // kNotImplemented when no memory controller is mounted.
  static Result<OomWatch> open(const std::vector<CgroupDir>& dirs);

  // Readable (POLLIN) on an OOM event, and on v1 also when the cgroup is removed.
  int fd() const { return fd_.get(); }
  // After fd() polled readable: how many OOM kills happened since the last call (0 for a
  // spurious wake-up or, on v1, the cgroup's removal).
  Result<uint64_t> consume();

 private:
  OomWatch() = default;
  UniqueFd fd_;
  UniqueFd control_;         // v1: memory.oom_control, kept open while the eventfd is registered
  std::string events_path_;  // v2: memory.events; v1: the memory cgroup directory
  uint64_t last_kills_ = 0;  // v2: oom_kill when last read
  bool v2_ = false;
};

}  // namespace hako::cgroup
