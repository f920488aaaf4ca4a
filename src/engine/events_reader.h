// Reading the events log (shim/event_log.h) the way `docker events` streams the daemon's
// events: with --since or --until, first the kept events in that window (both files, oldest
// first; a --since before the oldest kept event starts at the oldest); then, unless --until
// is already past, every new event as it is appended (inotify on the store directory, across
// rotations: the old file is read to its end before the new one is opened), until --until or
// until the caller is interrupted. Lines that are not whole JSON (a writer that died mid-line)
// are skipped.
// Stateless functions; the follow loop blocks its thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"
#include "engine/event_filter.h"
#include "json/reader.h"

namespace hako::engine {

struct EventQuery {
  std::optional<int64_t> since_ns;  // Unix nanoseconds
  std::optional<int64_t> until_ns;
  EventFilter filter;
};

// Gets each matching event in order; an error ends the reading with that error.
using EventSink = std::function<Status(const json::Value& event)>;

// The event's time in Unix nanoseconds (timeNano, else time).
int64_t event_time_ns(const json::Value& event);

// Docker's default line: "<time> <Type> <Action> <Actor.ID> (k=v, ...)", attributes sorted,
// the time in Go's RFC3339NanoFixed in the local zone ("Z" in UTC), no newline.
std::string format_event_line(const json::Value& event);

// The object Docker's --format templates see: events.Message's Go field names (Status, ID,
// From, Type, Action, Actor {ID, Attributes}, Scope, Time, TimeNano).
json::Value event_template_value(const json::Value& event);

Status read_events(const std::string& root, const EventQuery& q, int64_t now_ns,
                   const EventSink& sink);

}  // namespace hako::engine
