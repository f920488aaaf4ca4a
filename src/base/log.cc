#include "base/log.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "base/strings.h"

namespace hako {

static std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

static std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec);
  return buf;
}

Logger Logger::to_file_in(UniqueFd dir, std::string name, Format format) {
  Logger l(UniqueFd(), format);
  l.dir_ = std::move(dir);
  l.name_ = std::move(name);
  return l;
}

void Logger::log(LogLevel level, std::string_view message) {
  if (!enabled(level)) return;
  if (dir_.valid()) {
    fd_.reset(::openat(dir_.get(), name_.c_str(),
                       O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd_.valid()) return;  // dir_ stays: a later message tries again
    dir_.reset();
  }
  std::string line;
  if (format_ == Format::kJson) {
    line = R"({"level":")" + std::string(level_name(level)) + R"(","msg":")" +
           json_escape(message) + R"(","time":")" + rfc3339_now() + "\"}\n";
  } else if (fd_.valid()) {
    line = rfc3339_now() + " " + std::string(level_name(level)) + " " + std::string(message) + "\n";
  } else {
    line = std::string(message) + "\n";
  }
  // One write so concurrent writers to a shared log file do not interleave lines.
  int fd = fd_.valid() ? fd_.get() : STDERR_FILENO;
  [[maybe_unused]] ssize_t n = ::write(fd, line.data(), line.size());
}

}  // namespace hako
