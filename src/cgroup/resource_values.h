// Conversions and checks shared by the v1 and v2 resource writers: the runc rules for turning
// spec values into cgroup file contents. Pure functions; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "oci/spec.h"

namespace hako::cgroup {

// pids.max: a positive limit as is; 0 and negative mean unlimited ("max"), as runc.
std::string pids_max_value(int64_t limit);

// cpu.shares (v1, 2..262144) to cpu.weight (v2, 1..10000): 1 + ((shares - 2) * 9999) / 262142,
// runc's ConvertCPUSharesToCgroupV2Value; shares outside the v1 range are clamped first.
uint64_t cpu_shares_to_weight(uint64_t shares);

// blkio.weight (10..1000) to io.weight (1..10000): 1 + (weight - 10) * 9999 / 990.
uint64_t blkio_weight_to_io_weight(uint64_t weight);

// OCI memory.swap is memory+swap (v1's memsw); v2's memory.swap.max is swap alone. Returns the
// value for memory.swap.max: -1 unlimited, 0 unset, else swap - limit (runc's
// ConvertMemorySwapToCgroupV2Value, including "limit -1 with swap unset means swap -1").
Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t limit);

// "-1" and values <= -1 become "max" on v2.
std::string v2_limit_value(int64_t value);

// linux.resources.memory.kernel and kernelTCP: the kernel no longer enforces kernel memory
// limits (deprecated in Linux 5.4, and memory.kmem.limit_in_bytes on this 6.18 kernel accepts a
// write and keeps its old value; v2 never had one). Unset is fine; a value is refused rather than
// silently ignored (runc only warns).
Status reject_kernel_memory(const oci::MemoryResources& m);

// Hugepage sizes name files ("hugetlb.2MB.max"): letters and digits only.
Status check_page_size(std::string_view page_size, std::string_view field);

// linux.resources.unified keys are cgroup v2 file names "<controller>.<setting>": no '/', no
// "..", and not the files that move processes (cgroup.procs, cgroup.threads, cgroup.kill).
Status check_unified_key(std::string_view key);

}  // namespace hako::cgroup
