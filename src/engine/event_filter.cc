#include "engine/event_filter.h"

#include <array>
#include <string_view>

namespace hako::engine {
namespace {

constexpr std::array<std::string_view, 14> kKeys = {
    "config", "container", "daemon", "event",  "image",   "label", "network",
    "node",   "plugin",    "scope",  "secret", "service", "type",  "volume"};

std::string string_at(const json::Value& v, const char* key) {
  if (!v.is_object()) return {};
  auto it = v.find(key);
  return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// reference.FamiliarName of a parsed reference, near enough: the repository without its
// tag or digest, and without docker.io/library/.
std::string strip_tag(std::string ref) {
  if (size_t at = ref.find('@'); at != std::string::npos) ref.resize(at);
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    ref.resize(colon);
  for (std::string_view prefix : {"docker.io/library/", "docker.io/"})
    if (ref.rfind(prefix, 0) == 0) return ref.substr(prefix.size());
  return ref;
}

}  // namespace

Result<EventFilter> EventFilter::parse(const std::vector<std::string>& args) {
  EventFilter f;
  for (const auto& arg : args) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos)
      return invalid_argument("bad format of filter (expected name=value): " + arg);
    std::string key = arg.substr(0, eq);
    bool known = false;
    for (auto k : kKeys) known = known || k == key;
    if (!known) return invalid_argument("invalid filter '" + key + "'");
    f.values_[key].insert(arg.substr(eq + 1));
  }
  return f;
}

bool EventFilter::exact(const std::string& key, const std::string& source) const {
  auto it = values_.find(key);
  return it == values_.end() || it->second.count(source) != 0;
}

bool EventFilter::fuzzy(const std::string& key, const std::string& source) const {
  auto it = values_.find(key);
  if (it == values_.end()) return true;
  for (const auto& v : it->second)
    if (source.rfind(v, 0) == 0) return true;
  return false;
}

bool EventFilter::matches(const json::Value& ev) const {
  if (values_.empty()) return true;
  std::string type = string_at(ev, "Type");
  std::string action = string_at(ev, "Action");
  const json::Value* actor = ev.is_object() && ev.contains("Actor") ? &ev["Actor"] : nullptr;
  std::string id = actor ? string_at(*actor, "ID") : "";
  std::map<std::string, std::string> attrs;
  if (actor && actor->contains("Attributes") && (*actor)["Attributes"].is_object())
    for (const auto& [k, v] : (*actor)["Attributes"].items())
      if (v.is_string()) attrs[k] = v.get<std::string>();
  auto attr = [&](const char* k) {
    auto it = attrs.find(k);
    return it == attrs.end() ? std::string() : it->second;
  };

  // event=: exact, except for the actions Docker suffixes with details (#25798).
  bool event_ok = exact("event", action);
  if (auto it = values_.find("event"); it != values_.end())
    for (const char* a : {"health_status", "exec_create", "exec_start"})
      if (it->second.count(a)) event_ok = fuzzy("event", action);
  if (!event_ok || !exact("type", type) || !exact("scope", string_at(ev, "scope"))) return false;

  // container=, volume=, network=, plugin=, daemon=: an Actor of that type, by ID or name.
  for (const char* t : {"container", "volume", "network", "plugin", "daemon"}) {
    if (!has(t)) continue;
    if (type != t || !(fuzzy(t, id) || fuzzy(t, attr("name")))) return false;
  }
  if (has("image")) {
    std::string name = attr(type == "image" ? "name" : "image");
    if (!(exact("image", id) || exact("image", name) || exact("image", strip_tag(id)) ||
          exact("image", strip_tag(name))))
      return false;
  }
  for (const char* t : {"node", "service", "secret", "config"})
    if (has(t)) return false;  // no swarm here: no such events
  if (auto it = values_.find("label"); it != values_.end()) {
    for (const auto& kv : it->second) {
      size_t eq = kv.find('=');
      auto found = attrs.find(kv.substr(0, eq));
      if (found == attrs.end()) return false;
      if (eq != std::string::npos && found->second != kv.substr(eq + 1)) return false;
    }
  }
  return true;
}

}  // namespace hako::engine
