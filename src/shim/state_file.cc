#include "shim/state_file.h"

#include <ctime>

#include "json/reader.h"
#include "sys/file.h"

namespace hako::shim {

Status write_state(const std::string& path, const ShimState& s) {
  json::Value v = {
      {"status", s.status},
      {"pid", s.pid},
      {"pid_start_time", s.pid_start_time},
      {"shim_pid", s.shim_pid},
      {"shim_start_time", s.shim_start_time},
      {"started_at", s.started_at},
      {"finished_at", s.finished_at},
      {"exit_code", s.exit_code},
      {"oom_killed", s.oom_killed},
      {"restart_count", s.restart_count},
      {"manual_stop", s.manual_stop},
      {"error", s.error},
      {"health", s.health},
      {"health_failing_streak", s.health_failing_streak},
      {"health_log", s.health_log},
  };
  return sys::write_file_replace(path, v.dump(), 0600);
}

Result<ShimState> read_state(const std::string& path) {
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 1 << 20));
  HAKO_TRY_ASSIGN(json::Value v, json::parse(text, path));
  HAKO_TRY(json::require_object(v, ""));
  ShimState s;
  auto field = [&](const char* key, auto& out) -> Status {
    if (!v.contains(key)) return ok();
    return json::read_value(v[key], key, out);
  };
  HAKO_TRY(field("status", s.status));
  HAKO_TRY(field("pid", s.pid));
  HAKO_TRY(field("pid_start_time", s.pid_start_time));
  HAKO_TRY(field("shim_pid", s.shim_pid));
  HAKO_TRY(field("shim_start_time", s.shim_start_time));
  HAKO_TRY(field("started_at", s.started_at));
  HAKO_TRY(field("finished_at", s.finished_at));
  HAKO_TRY(field("exit_code", s.exit_code));
  HAKO_TRY(field("oom_killed", s.oom_killed));
  HAKO_TRY(field("restart_count", s.restart_count));
  HAKO_TRY(field("manual_stop", s.manual_stop));
  HAKO_TRY(field("error", s.error));
  HAKO_TRY(field("health", s.health));
  HAKO_TRY(field("health_failing_streak", s.health_failing_streak));
  HAKO_TRY(field("health_log", s.health_log));
  return s;
}

std::string rfc3339_nano_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  ::gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  ::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return buf;
}

}  // namespace hako::shim
