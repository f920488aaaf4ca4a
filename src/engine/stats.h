// Container statistics as `docker stats` shows them: one sample of a container's cgroup
// counters (cgroup::read_stats over the cgroup directories the runtime recorded), the host's
// CPU time from /proc/stat and the container's own network namespace counters
// (/proc/<init>/net/dev without lo). CPU % needs two samples: Docker's formula, the
// container's CPU time delta over the host's times the online CPUs. A container that is not
// running samples as zeros, as Docker reports it. Values; reads only /proc and /sys; one thread.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "engine/engine.h"

namespace hako::engine {

struct StatsSample {
  bool running = false;
  uint64_t cpu_total_ns = 0;  // the container's
  uint64_t system_ns = 0;     // the host's, all CPUs (/proc/stat)
  uint32_t online_cpus = 0;
  uint64_t memory_usage = 0;  // without the inactive page cache, as the docker CLI shows it
  uint64_t memory_limit = 0;  // the host's memory when the cgroup's limit is higher
  uint64_t net_rx = 0, net_tx = 0;
  uint64_t block_read = 0, block_write = 0;
  uint64_t pids = 0;
};

Result<StatsSample> sample_stats(const Engine& eng, const ContainerRecord& c);

// Docker's calculateCPUPercentUnix: 0 unless both deltas are positive.
double cpu_percent(const StatsSample& before, const StatsSample& after);
double memory_percent(const StatsSample& s);

// /proc/stat's "cpu" line (user..softirq) in nanoseconds, as dockerd's getSystemCPUUsage.
Result<uint64_t> system_cpu_ns();
// Received and transmitted bytes of every interface but lo in a /proc/<pid>/net/dev text.
std::pair<uint64_t, uint64_t> net_dev_bytes(std::string_view text);

}  // namespace hako::engine
