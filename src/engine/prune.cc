#include "engine/prune.h"

#include <sys/stat.h>

#include <ftw.h>

#include "engine/log_time.h"

namespace hako::engine {

namespace {

// Docker's SizeRw: the sizes of the files in the writable layer.
uint64_t tree_bytes(const std::string& dir) {
  static thread_local uint64_t total;
  total = 0;
  ::nftw(
      dir.c_str(),
      [](const char*, const struct stat* st, int type, FTW*) {
        if (type == FTW_F && S_ISREG(st->st_mode)) total += static_cast<uint64_t>(st->st_size);
        return 0;
      },
      32, FTW_PHYS);
  return total;
}

bool label_matches(const json::Value& labels, const std::string& want) {
  size_t eq = want.find('=');
  std::string key = want.substr(0, eq);
  if (!labels.is_object() || !labels.contains(key)) return false;
  if (eq == std::string::npos) return true;
  return labels[key].is_string() && labels[key].get<std::string>() == want.substr(eq + 1);
}

}  // namespace

Result<PruneFilters> PruneFilters::parse(const std::vector<std::string>& items, int64_t now_ns) {
  PruneFilters f;
  for (const auto& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos)
      return invalid_argument("bad format of filter (expected name=value)");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "until") {
      auto t = parse_log_time(value, now_ns);
      if (!t) return t.error();
      f.until_ns = *t;
    } else if (key == "label") {
      f.labels.push_back(value);
    } else if (key == "label!") {
      f.not_labels.push_back(value);
    } else {
      return invalid_argument("Invalid filter '" + key + "'");
    }
  }
  return f;
}

Result<PruneReport> prune_containers(Engine& eng, const PruneFilters& filters) {
  PruneReport report;
  HAKO_TRY_ASSIGN(auto all, eng.containers().list());
  for (const auto& c : all) {
    std::string status = eng.state_of(c.id).status;
    if (status == "running" || status == "paused" || status == "restarting") continue;
    if (filters.until_ns && c.created >= *filters.until_ns) continue;
    json::Value labels;
    if (c.definition.contains("Config") && c.definition["Config"].is_object())
      labels = c.definition["Config"].value("Labels", json::Value());
    bool keep = true;
    for (const auto& l : filters.labels) keep = keep && label_matches(labels, l);
    for (const auto& l : filters.not_labels) keep = keep && !label_matches(labels, l);
    if (!keep) continue;
    uint64_t size = tree_bytes(eng.paths(c.id).upper());
    if (!eng.remove(c, false, false)) continue;
    report.deleted.push_back(c.id);
    report.reclaimed += size;
  }
  return report;
}

}  // namespace hako::engine
