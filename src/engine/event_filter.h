// EventFilter: `hako events --filter KEY=VALUE`, with Docker's rules (daemon/events/filter.go):
// values of one key OR, different keys AND, and every label= must match (k or k=v).
//   container=<name|id>   the Actor's ID or "name" attribute, by prefix (Docker's FuzzyMatch)
//   event=<action>        the Action, exactly; health_status, exec_create and exec_start also
//                         match the "exec_start: sh -c ..." forms, by prefix
//   type=<type>           container, image, volume, network, daemon, plugin, node, service,
//                         secret, config
//   image=<name|id>       an image event's ID or name, a container event's "image", with or
//                         without the tag
//   label=<k>[=<v>]       the Actor's attributes
//   volume=, network=, plugin=, daemon=  the Actor of that type, by ID or name prefix
//   scope=local|swarm     the event's scope
// Value type; pure; thread safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/reader.h"

namespace hako::engine {

class EventFilter {
 public:
  EventFilter() = default;
  // Each arg "key=value"; unknown keys and a missing "=" are errors, as Docker's.
  static Result<EventFilter> parse(const std::vector<std::string>& args);

  // ev: one event as in the events log (Docker's message JSON).
  bool matches(const json::Value& ev) const;
  bool empty() const { return values_.empty(); }

 private:
  bool exact(const std::string& key, const std::string& source) const;
  bool fuzzy(const std::string& key, const std::string& source) const;
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  std::map<std::string, std::set<std::string>> values_;
};

}  // namespace hako::engine
