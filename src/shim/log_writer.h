// LogWriter: a container's stdout and stderr as Docker's json-file log, written by the shim.
//
// One JSON object per line, Docker's exact bytes:
//   {"log":"text\n","stream":"stdout","time":"2026-12-01T10:00:00.123456789Z"}
// Complete lines become one entry each; bytes without their newline wait (per stream) until it
// comes, until the line reaches 16 KiB (then a partial entry, whose "log" lacks the "\n"), or
// until flush() at the stream's end. The file is rotated Docker's way when an entry would take
// it past max_size: json.log.(n-1) -> .n ... json.log -> .1, a new json.log; json.log.1 is the
// newest rotated file. Entries are whole write(2)s: a reader sees a half entry only if the shim
// died mid-write (and open() ends such a line before appending). No fsync: a log is not a
// crash-consistency contract.
//
// The writer owns its fd; it is movable, not thread safe (the shim's loop is its one user).
#pragma once

#include <time.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::shim {

struct LogLimits {
  int64_t max_size = 20 << 20;  // bytes per file; <= 0: unbounded (one file, never rotated)
  int max_files = 5;            // json.log and max_files - 1 rotated files
};

// Docker's json-file --log-opt keys: "max-size" (go-units' FromHumanSize: "10m", "1g", "100k",
// "1.5MB"; decimal, as Docker), "max-file" (>= 1). Missing keys keep the defaults above.
// Unknown keys fail naming the key, as Docker does.
Result<LogLimits> parse_log_opts(const std::map<std::string, std::string>& opts);

enum class Stream { kStdout, kStderr };

// Longest "log" text of one entry: longer lines are split (Docker's copier buffer).
inline constexpr size_t kMaxLogLine = 16 * 1024;

// One entry's line, "\n" included: the JSON escaping (Docker's: control characters as \u00XX
// except \n and \r, '"' and '\\', HTML's <, > and & as \u003c..., U+2028/9, and each byte of
// invalid UTF-8 as U+FFFD, as Go's encoding/json) and the time as Go's RFC3339Nano.
std::string format_log_line(Stream s, std::string_view text, struct timespec time);

class LogWriter {
 public:
  // Opens (creating, 0640) the log at `path` to append: a restarted container keeps its log.
  static Result<LogWriter> open(std::string path, LogLimits limits);

  // Bytes as read from the container's stream `s`: complete lines are written as entries with
  // time `now`; the rest waits for its newline.
  Status write(Stream s, std::string_view bytes, struct timespec now);
  // At the streams' end: what waits for a newline, written as (partial) entries.
  Status flush(struct timespec now);

  int64_t size() const { return size_; }  // of json.log now

 private:
  LogWriter(std::string path, LogLimits limits, UniqueFd fd, int64_t size)
      : path_(std::move(path)), limits_(limits), fd_(std::move(fd)), size_(size) {}

  struct Pending {
    std::string bytes;   // a line's start, without its newline
    bool split = false;  // a part of this line was written already: its parts share `time`
    struct timespec time {};
  };
  // Appends one entry to out_, first writing out_ and rotating if the entry would overflow.
  Status add_entry(Stream s, std::string_view text, struct timespec time);
  Status write_out();
  Status rotate();

  std::string path_;
  LogLimits limits_;
  UniqueFd fd_;
  int64_t size_ = 0;  // bytes in json.log, out_ excluded
  Pending pending_[2];
  std::string out_;  // entries of the current write() not yet written
};

}  // namespace hako::shim
