#include "shim/event_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"
#include "sys/file.h"

namespace hako::shim {
namespace {

// The lock lives in its own file: events.log itself is renamed away at rotation, and a lock
// on a renamed file would not exclude the appenders that open the new one.
Result<UniqueFd> lock_log(const std::string& root) {
  std::string path = root + "/events.log.lock";
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return sys_error("lock " + path);
  }
  return fd;
}

}  // namespace

std::string event_log_path(const std::string& root) { return root + "/events.log"; }
std::string rotated_event_log_path(const std::string& root) { return root + "/events.log.1"; }

int64_t event_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

json::Value make_event(std::string_view type, std::string_view action, std::string_view actor_id,
                       const std::map<std::string, std::string>& attributes, int64_t time_ns) {
  json::Value attrs = json::Value::object();
  for (const auto& [k, v] : attributes) attrs[k] = v;
  json::Value ev = {
      {"Type", type},
      {"Action", action},
      {"Actor", {{"ID", actor_id}, {"Attributes", std::move(attrs)}}},
      {"scope", "local"},
      {"time", time_ns / 1'000'000'000},
      {"timeNano", time_ns},
  };
  // The deprecated fields Docker still fills for these two types (events.Message).
  if (type == "container" || type == "image") {
    ev["status"] = action;
    ev["id"] = actor_id;
  }
  if (type == "container") {
    auto it = attributes.find("image");
    if (it != attributes.end()) ev["from"] = it->second;
  }
  return ev;
}

json::Value container_event(std::string_view action, std::string_view id,
                            const std::map<std::string, std::string>& attributes) {
  return make_event("container", action, id, attributes, event_now_ns());
}

Status append_event(const std::string& root, const json::Value& event, int64_t max_size) {
  // Labels are user bytes: replace invalid UTF-8 rather than fail (dump would throw).
  std::string line = event.dump(-1, ' ', false, json::Value::error_handler_t::replace) + "\n";
  HAKO_TRY_ASSIGN(UniqueFd lock, lock_log(root));
  std::string path = event_log_path(root);
  const int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(path, flags, 0640));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_error("stat " + path);
  if (max_size > 0 && st.st_size > 0 && st.st_size + static_cast<int64_t>(line.size()) > max_size) {
    std::string old = rotated_event_log_path(root);
    if (::rename(path.c_str(), old.c_str()) != 0) return sys_error("rotate " + path);
    HAKO_TRY_ASSIGN(fd, sys::open_path(path, flags, 0640));
  }
  // One write of the whole line: readers that poll without the lock see it whole or not yet.
  return sys::write_all(fd.get(), line, path);
}

}  // namespace hako::shim
