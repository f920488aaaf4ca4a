#include "engine/container_filter.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace hako::engine {
namespace {

constexpr std::array<std::string_view, 8> kKeys = {"id",     "name",     "label",  "status",
                                                   "exited", "ancestor", "before", "since"};
constexpr std::array<std::string_view, 7> kStates = {"created", "restarting", "running", "removing",
                                                     "paused",  "exited",     "dead"};

template <typename A>
bool contains(const A& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool label_matches(const std::map<std::string, std::string>& labels, const std::string& want) {
  size_t eq = want.find('=');
  auto it = labels.find(want.substr(0, eq));
  if (it == labels.end()) return false;
  return eq == std::string::npos || it->second == want.substr(eq + 1);
}

}  // namespace

Result<ContainerFilter> ContainerFilter::parse(const std::vector<std::string>& args) {
  ContainerFilter f;
  for (const auto& arg : args) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return invalid_argument("bad format of filter (expected name=value)");
    std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
    if (!contains(kKeys, key)) return invalid_argument("invalid filter '" + key + "'");
    if (key == "status" && !contains(kStates, value))
      return invalid_argument("invalid filter 'status=" + value +
                              "': it must be one of created, restarting, running, removing, "
                              "paused, exited or dead");
    f.values_[key].push_back(std::move(value));
  }
  return f;
}

std::vector<std::string> ContainerFilter::values(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool ContainerFilter::matches(const ContainerFacts& c, const ResolvedRefs& refs) const {
  // One key's values: any of them will do.
  auto any = [&](const char* key, auto&& pred) {
    auto it = values_.find(key);
    return it == values_.end() || std::any_of(it->second.begin(), it->second.end(), pred);
  };
  if (!any("id", [&](const std::string& v) { return c.id.rfind(v, 0) == 0; })) return false;
  if (!any("name", [&](const std::string& v) { return c.name.find(v) != std::string::npos; }))
    return false;
  if (!any("status", [&](const std::string& v) { return c.status == v; })) return false;
  if (!any("exited", [&](const std::string& v) {
        return c.status == "exited" && std::to_string(c.exit_code) == v;
      }))
    return false;
  if (has("ancestor") && !refs.ancestor_ids.count(c.image_id)) return false;
  // label=: every one.
  for (const auto& l : values("label"))
    if (!label_matches(c.labels, l)) return false;
  if (has("before") && !(refs.before && c.created < *refs.before)) return false;
  if (has("since") && !(refs.since && c.created > *refs.since)) return false;
  return true;
}

}  // namespace hako::engine
