// Reading a container's json-file log (written by shim::LogWriter) for `hako logs`.
//
// The log is json.log and its rotated files json.log.1 (newest) ... json.log.N (oldest). A
// read goes oldest first; --tail finds its start by reading the files backwards from the end
// (tail 10 of 100 MiB reads a block or two); --follow keeps reading json.log as it grows,
// waking on inotify, across rotations (json.log renamed to .1, a new json.log) and truncation
// (max-file 1). Lines that do not decode (garbage, or the half entry of a shim killed
// mid-write) are skipped. Entries reach the sink in the files' order. Stateless; each call
// owns its fds; thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "shim/log_writer.h"

namespace hako::engine {

using shim::Stream;

struct LogEntry {
  Stream stream = Stream::kStdout;
  std::string text;  // as the container wrote it, its "\n" included if the line had one
  int64_t time_ns = 0;
};

struct LogQuery {
  bool stdout = true, stderr = true;
  std::optional<int64_t> since_ns, until_ns;  // inclusive bounds, as Docker
  std::optional<size_t> tail;  // the last N entries that pass the filters; nullopt: all
  bool follow = false;
};

// Calls sink for each entry of the log at log_path (its json.log) that the query selects, in
// order. A missing log is an empty one. With follow, returns once done() is true and all that
// was written before it became true has been read (done() is polled about every 100 ms and on
// each change of the log), or once until_ns has passed. An error of the sink ends the read
// and is returned.
Status read_logs(const std::string& log_path, const LogQuery& q,
                 const std::function<Status(const LogEntry&)>& sink,
                 const std::function<bool()>& done);

// What `docker logs` prints for an entry: its text, with -t prefixed by Docker's fixed-width
// RFC 3339 time and a space ("2026-12-01T10:00:00.123456789Z text").
std::string format_entry(const LogEntry& e, bool timestamps);

// One json-file line (without its "\n") into *out; false if it is not a log entry.
bool decode_log_line(std::string_view line, LogEntry* out);

}  // namespace hako::engine
