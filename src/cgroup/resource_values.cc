#include "cgroup/resource_values.h"

#include <algorithm>
#include <cctype>

namespace hako::cgroup {

std::string pids_max_value(int64_t limit) { return limit > 0 ? std::to_string(limit) : "max"; }

uint64_t cpu_shares_to_weight(uint64_t shares) {
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  weight = std::clamp<uint64_t>(weight, 10, 1000);
  return 1 + (weight - 10) * 9999 / 990;
}

Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t limit) {
  if (limit == -1 && swap == 0) return int64_t{-1};
  if (swap == -1 || swap == 0) return swap;
  if (limit == 0 || limit == -1)
    return invalid_argument(
        "linux.resources.memory.swap: a swap limit needs a memory limit (swap is memory+swap)");
  if (limit < 0)
    return invalid_argument("linux.resources.memory.limit: invalid value " + std::to_string(limit));
  if (swap < limit)
    return invalid_argument("linux.resources.memory.swap: memory+swap (" + std::to_string(swap) +
                            ") must be at least the memory limit (" + std::to_string(limit) + ")");
  return swap - limit;
}

std::string v2_limit_value(int64_t value) { return value < 0 ? "max" : std::to_string(value); }

Status reject_kernel_memory(const oci::MemoryResources& m) {
  const char* field = m.kernel       ? "linux.resources.memory.kernel"
                      : m.kernel_tcp ? "linux.resources.memory.kernelTCP"
                                     : nullptr;
  if (!field) return ok();
  return Error(
      ErrorCode::kNotImplemented,
      std::string(field) +
          ": kernel memory limits are not supported: this kernel does not enforce them "
          "(memory.kmem.limit_in_bytes ignores writes, cgroup v2 has none); remove the field");
}

Status check_page_size(std::string_view page_size, std::string_view field) {
  if (page_size.empty() || !std::all_of(page_size.begin(), page_size.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c));
      }))
    return invalid_argument(std::string(field) + ".pageSize: \"" + std::string(page_size) +
                            "\" is not a page size such as 2MB");
  return ok();
}

Status check_unified_key(std::string_view key) {
  std::string field = "linux.resources.unified[\"" + std::string(key) + "\"]";
  if (key.find('/') != std::string_view::npos || key.find("..") != std::string_view::npos ||
      key.find('\0') != std::string_view::npos)
    return invalid_argument(field + ": must be a cgroup file name, without '/' or \"..\"");
  size_t dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == key.size())
    return invalid_argument(field + ": must have the form <controller>.<setting>");
  if (key == "cgroup.procs" || key == "cgroup.threads" || key == "cgroup.kill")
    return invalid_argument(field + ": moves or kills processes; it is not a resource setting");
  return ok();
}

}  // namespace hako::cgroup
