// `hako-runtime events`: a container's resource statistics and OOM notifications as runc prints
// them, one JSON object per line: {"type":"stats","id":ID,"data":{...}} with runc's field names
// (runc's types/events.go, including its omitted empty fields) and {"type":"oom","id":ID}.
//
// One shot (stats_only) prints one stats event. Streaming prints a stats event every interval
// (the first after one interval, as runc) and an oom event for each OOM kill the kernel reports,
// until the container's init exits (it stopped or was deleted), then returns ok. A stopped or
// missing container is an error. Runs in the calling thread; writes events to `out`, failed reads
// to `log`.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/log.h"
#include "base/result.h"
#include "cgroup/stats.h"
#include "json/reader.h"

namespace hako::runtime {

// A Go duration ("5s", "500ms", "1m30s", "1.5s", "250us"): runc's --interval syntax.
// Zero and negative durations are refused (a zero ticker would spin).
Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

// runc's types.Stats for `s`.
json::Value stats_json(const cgroup::Stats& s);

struct EventsOptions {
  bool stats_only = false;
  std::chrono::nanoseconds interval = std::chrono::seconds(5);
};

Status container_events(const std::string& root, const std::string& id,
                        const EventsOptions& options, std::FILE* out, Logger& log);

}  // namespace hako::runtime
