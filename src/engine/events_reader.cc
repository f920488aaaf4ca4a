#include "engine/events_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "base/unique_fd.h"
#include "shim/event_log.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

// One open log file and the start of a line not yet complete in it.
struct LogCursor {
  UniqueFd fd;
  ino_t ino = 0;
  std::string partial;
};

// Opens path (or returns an invalid cursor when it does not exist yet).
Result<LogCursor> open_cursor(const std::string& path) {
  LogCursor c;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return c;
    return sys_error("open " + path);
  }
  c.fd.reset(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return sys_error("stat " + path);
  c.ino = st.st_ino;
  return c;
}

// Reads what the cursor's file holds now and hands each complete line to `line`.
template <typename F>
Status drain(LogCursor& c, const std::string& what, F&& line) {
  if (!c.fd) return ok();
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read " + what);
    if (n == 0) return ok();
    c.partial.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = c.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      HAKO_TRY(line(std::string_view(c.partial).substr(start, nl - start)));
    }
    c.partial.erase(0, start);
  }
}

class Reader {
 public:
  Reader(const EventQuery& q, const EventSink& sink) : q_(q), sink_(sink) {}

  // One line of the log: parsed, windowed, filtered, passed on.
  Status on_line(std::string_view text) {
    auto ev = json::parse(text, "event");
    if (!ev || !ev->is_object()) return ok();
    int64_t t = event_time_ns(*ev);
    if (q_.since_ns && t < *q_.since_ns) return ok();
    if (q_.until_ns && t > *q_.until_ns) return ok();
    if (!q_.filter.matches(*ev)) return ok();
    return sink_(*ev);
  }

 private:
  const EventQuery& q_;
  const EventSink& sink_;
};

Status follow(const std::string& root, const EventQuery& q, Reader& r, LogCursor cur,
              UniqueFd inotify) {
  const std::string path = shim::event_log_path(root);
  auto on_line = [&](std::string_view l) { return r.on_line(l); };
  for (;;) {
    HAKO_TRY(drain(cur, path, on_line));
    // Rotated (or created): the old file is complete once renamed away, so finish it, then
    // go on with the new one from its start.
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (!cur.fd || st.st_ino != cur.ino)) {
      HAKO_TRY(drain(cur, path, on_line));
      // Rotated twice since we looked: events.log.1 is a newer file than ours, read it
      // first (three rotations between two looks lose one file: 8 MiB written meanwhile).
      if (cur.fd) {
        std::string old_path = shim::rotated_event_log_path(root);
        HAKO_TRY_ASSIGN(LogCursor between, open_cursor(old_path));
        if (between.fd && between.ino != cur.ino && between.ino != st.st_ino)
          HAKO_TRY(drain(between, old_path, on_line));
      }
      HAKO_TRY_ASSIGN(cur, open_cursor(path));
      continue;
    }
    int timeout_ms = 1000;  // also a fallback should an inotify event be missed
    if (q.until_ns) {
      timespec ts{};
      ::clock_gettime(CLOCK_REALTIME, &ts);
      int64_t now = ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
      if (now >= *q.until_ns) return ok();
      timeout_ms =
          static_cast<int>(std::min<int64_t>(timeout_ms, (*q.until_ns - now) / 1'000'000 + 1));
    }
    pollfd p{inotify.get(), POLLIN, 0};
    int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno != EINTR) return sys_error("poll " + root);
    if (n > 0) {
      char buf[4096];
      while (::read(inotify.get(), buf, sizeof buf) > 0) {
      }
    }
  }
}

}  // namespace

int64_t event_time_ns(const json::Value& ev) {
  if (ev.contains("timeNano") && ev["timeNano"].is_number_integer())
    return ev["timeNano"].get<int64_t>();
  if (ev.contains("time") && ev["time"].is_number_integer())
    return ev["time"].get<int64_t>() * 1'000'000'000;
  return 0;
}

std::string format_event_line(const json::Value& ev) {
  std::string out;
  int64_t ns = event_time_ns(ev);
  if (ns != 0) {
    time_t sec = static_cast<time_t>(ns / 1'000'000'000);
    long frac = static_cast<long>(ns % 1'000'000'000);
    if (frac < 0) {
      --sec;
      frac += 1'000'000'000;
    }
    struct tm tm {};
    ::localtime_r(&sec, &tm);
    char buf[64];
    size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    out.append(buf, n);
    std::snprintf(buf, sizeof buf, ".%09ld", frac);
    out += buf;
    long off = tm.tm_gmtoff;
    if (off == 0) {
      out += "Z";
    } else {
      char sign = off < 0 ? '-' : '+';
      off = off < 0 ? -off : off;
      std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, off / 3600, (off / 60) % 60);
      out += buf;
    }
    out += " ";
  }
  auto str = [](const json::Value& v, const char* k) {
    return v.is_object() && v.contains(k) && v[k].is_string() ? v[k].get<std::string>()
                                                              : std::string();
  };
  const json::Value actor = ev.contains("Actor") ? ev["Actor"] : json::Value::object();
  out += str(ev, "Type") + " " + str(ev, "Action") + " " + str(actor, "ID");
  if (actor.contains("Attributes") && actor["Attributes"].is_object() &&
      !actor["Attributes"].empty()) {
    // nlohmann's object is a std::map: its keys come sorted, as Docker sorts them.
    std::string attrs;
    for (const auto& [k, v] : actor["Attributes"].items()) {
      if (!attrs.empty()) attrs += ", ";
      attrs += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    out += " (" + attrs + ")";
  }
  return out;
}

json::Value event_template_value(const json::Value& ev) {
  auto get = [&](const char* k, json::Value fallback) { return ev.contains(k) ? ev[k] : fallback; };
  json::Value actor = get("Actor", json::Value::object());
  if (!actor.contains("ID")) actor["ID"] = "";
  if (!actor.contains("Attributes")) actor["Attributes"] = json::Value::object();
  return {
      {"Status", get("status", "")},    {"ID", get("id", "")},
      {"From", get("from", "")},        {"Type", get("Type", "")},
      {"Action", get("Action", "")},    {"Actor", actor},
      {"Scope", get("scope", "")},      {"Time", get("time", 0)},
      {"TimeNano", get("timeNano", 0)},
  };
}

Status read_events(const std::string& root, const EventQuery& q, int64_t now_ns,
                   const EventSink& sink) {
  if (q.since_ns && q.until_ns && *q.until_ns < *q.since_ns)
    return invalid_argument("`since` time cannot be after `until` time");
  Reader r(q, sink);
  auto on_line = [&](std::string_view l) { return r.on_line(l); };
  bool past = q.since_ns || q.until_ns;
  bool follows = !q.until_ns || *q.until_ns > now_ns;
  // Watch before reading, so nothing appended in between is missed.
  UniqueFd inotify;
  if (follows) {
    inotify.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify) return sys_error("inotify_init1");
    if (::inotify_add_watch(inotify.get(), root.c_str(),
                            IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0)
      return sys_error("watch " + root);
  }
  const std::string path = shim::event_log_path(root);
  HAKO_TRY_ASSIGN(LogCursor cur, open_cursor(path));
  if (past) {
    std::string old_path = shim::rotated_event_log_path(root);
    HAKO_TRY_ASSIGN(LogCursor old, open_cursor(old_path));
    // A rotation between the two opens made the file we opened as current the old one:
    // the current one is new, and read after it.
    if (old.fd && cur.fd && old.ino == cur.ino) {
      HAKO_TRY_ASSIGN(cur, open_cursor(path));
    }
    HAKO_TRY(drain(old, old_path, on_line));
    if (!follows) return drain(cur, path, on_line);
  } else if (cur.fd) {
    // Without a window, Docker streams only what happens from now on.
    if (::lseek(cur.fd.get(), 0, SEEK_END) < 0) return sys_error("seek " + path);
  }
  return follow(root, q, r, std::move(cur), std::move(inotify));
}

}  // namespace hako::engine
