// container prune: removes every container that is not running (created, exited, dead), as
// dockerd's ContainersPrune, optionally narrowed by its filters: until=<time> (created
// before), label=<k>[=<v>] and label!=<k>[=<v>]. One thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace hako::engine {

struct PruneFilters {
  std::optional<int64_t> until_ns;
  std::vector<std::string> labels, not_labels;

  // "key=value" items as `--filter` gives them; dockerd's wording for a bad one.
  static Result<PruneFilters> parse(const std::vector<std::string>& items, int64_t now_ns);
};

struct PruneReport {
  std::vector<std::string> deleted;  // full ids
  uint64_t reclaimed = 0;            // bytes of the removed containers' writable layers
};

// A container that fails to go is skipped (it stays, as with dockerd).
Result<PruneReport> prune_containers(Engine& eng, const PruneFilters& filters);

}  // namespace hako::engine
