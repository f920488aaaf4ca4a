// Logger: where diagnostics go. There is no global logger: main() creates one and passes it
// down to what needs it (a library that only returns errors needs none).
//
// Two formats, as runc has them: text ("time level msg") and json ({"level","msg","time"}),
// the latter read by containerd from the runtime's --log file. Not thread safe: each process
// that logs owns its Logger.
#pragma once

#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace hako {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Logger {
 public:
  enum class Format { kText, kJson };

  // Logs to stderr.
  Logger() = default;
  Logger(UniqueFd fd, Format format) : fd_(std::move(fd)), format_(format) {}
  // Logs to dir/name, created (0600, appended to) by the first message that passes the level:
  // a process that never logs leaves no file behind. A failed open drops the messages.
  static Logger to_file_in(UniqueFd dir, std::string name, Format format);

  void set_level(LogLevel level) { level_ = level; }
  bool enabled(LogLevel level) const { return level >= level_; }

  void log(LogLevel level, std::string_view message);
  void debug(std::string_view m) {
    if (enabled(LogLevel::kDebug)) log(LogLevel::kDebug, m);
  }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) { log(LogLevel::kWarning, m); }
  void error(std::string_view m) { log(LogLevel::kError, m); }

  bool is_json() const { return format_ == Format::kJson; }
  bool to_stderr() const { return !fd_.valid() && !dir_.valid(); }

 private:
  UniqueFd fd_;   // invalid: stderr, unless dir_ is set
  UniqueFd dir_;  // to_file_in's directory until the file is opened
  std::string name_;
  Format format_ = Format::kText;
  LogLevel level_ = LogLevel::kWarning;
};

}  // namespace hako
