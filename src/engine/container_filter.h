// ContainerFilter: `hako ps --filter KEY=VALUE`, with Docker's rules (daemon/list.go): the
// values of one key OR (status=exited --filter status=created lists both), different keys
// AND, and every label= must match (k or k=v).
//   id=<prefix>             the container's id
//   name=<substring>        the name
//   label=<k>[=<v>]         the labels
//   status=<state>          created, restarting, running, removing, paused, exited, dead
//   exited=<code>           an exited container's exit code
//   ancestor=<image>        the image it was created from (the caller resolves the names)
//   before=, since=<ctr>    created before/after that container (the caller resolves it;
//                           as dockerd, the last value given counts)
// Value type; pure; thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace hako::engine {

// What a filter looks at in one container.
struct ContainerFacts {
  std::string id;
  std::string name;
  std::map<std::string, std::string> labels;
  std::string status;  // LiveState's
  int exit_code = 0;
  std::string image_id;  // "sha256:..."
  int64_t created = 0;
};

// The filter's references, resolved by the caller against the stores.
struct ResolvedRefs {
  std::set<std::string> ancestor_ids;    // the image ids the ancestor= values name
  std::optional<int64_t> before, since;  // created times of the before=/since= containers
};

class ContainerFilter {
 public:
  ContainerFilter() = default;
  // Each arg "key=value"; unknown keys, a missing "=" and an unknown status are errors, with
  // Docker's messages.
  static Result<ContainerFilter> parse(const std::vector<std::string>& args);

  bool empty() const { return values_.empty(); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  // The values given for key, in order ({} if none).
  std::vector<std::string> values(const std::string& key) const;

  bool matches(const ContainerFacts& c, const ResolvedRefs& refs) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace hako::engine
