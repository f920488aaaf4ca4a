// The events log: what `hako events` reads, Docker's event messages written by whichever
// process causes them (the CLI, the engine, a container's shim). hako has no daemon to keep
// them in memory, so they live in <root>/events.log, one compact JSON object per line in the
// shape of Docker's events.Message:
//   {"status":"start","id":"<id>","from":"busybox","Type":"container","Action":"start",
//    "Actor":{"ID":"<id>","Attributes":{"image":"busybox","name":"web"}},"scope":"local",
//    "time":1700000000,"timeNano":1700000000123456789}
// Appenders take an exclusive flock on <root>/events.log.lock, so lines of any length stay
// whole and in time order across processes. The log is bounded: an append that finds it over
// max_size first renames it to events.log.1 (the one older file kept, replacing the previous
// one) under the same lock, so a reader that sees events.log replaced knows the old file is
// complete. No fsync: the log is a record for users, not a crash-consistency contract.
//
// Small and static-friendly (the shim links it): only the json module and syscalls.
// Stateless functions; thread safe (the lock is per open file description).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "json/reader.h"

namespace hako::shim {

inline constexpr int64_t kEventLogMaxSize = 4 << 20;

std::string event_log_path(const std::string& root);          // <root>/events.log
std::string rotated_event_log_path(const std::string& root);  // <root>/events.log.1

int64_t event_now_ns();  // CLOCK_REALTIME in Unix nanoseconds

// Docker's message for an event of `type` (container, image, volume, network, ...): Type,
// Action, Actor {ID, Attributes}, scope "local", time and timeNano, and for containers and
// images the deprecated status/id (and from = the "image" attribute) Docker still fills.
json::Value make_event(std::string_view type, std::string_view action, std::string_view actor_id,
                       const std::map<std::string, std::string>& attributes, int64_t time_ns);

// make_event("container", ...) now.
json::Value container_event(std::string_view action, std::string_view id,
                            const std::map<std::string, std::string>& attributes);

// Appends one event as one line (see above). max_size <= 0: never rotate.
Status append_event(const std::string& root, const json::Value& event,
                    int64_t max_size = kEventLogMaxSize);

}  // namespace hako::shim
