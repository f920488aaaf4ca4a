#include "engine/live_state.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <thread>

#include "base/unique_fd.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"
#include "sys/file.h"
#include "sys/process.h"

namespace hako::engine {

int64_t parse_time(const std::string& t) {
  tm tmv{};
  long nanos = 0;
  if (t.size() < 19 || !::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tmv)) return 0;
  if (t.size() > 20 && t[19] == '.') {
    std::string frac = t.substr(20, 9);
    while (!frac.empty() && !std::isdigit(static_cast<unsigned char>(frac.back()))) frac.pop_back();
    frac.resize(9, '0');
    nanos = std::strtol(frac.c_str(), nullptr, 10);
  }
  return static_cast<int64_t>(::timegm(&tmv)) * 1'000'000'000 + nanos;
}

std::string human_duration(int64_t ns) {
  int64_t seconds = ns / 1'000'000'000;
  auto n = [](int64_t v, const char* unit) { return std::to_string(v) + " " + unit; };
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return n(seconds, "seconds");
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return n(minutes, "minutes");
  auto hours = static_cast<int64_t>(std::llround(static_cast<double>(seconds) / 3600.0));
  if (hours == 1) return "About an hour";
  if (hours < 48) return n(hours, "hours");
  if (hours < 24 * 7 * 2) return n(hours / 24, "days");
  if (hours < 24 * 30 * 2) return n(hours / 24 / 7, "weeks");
  if (hours < 24 * 365 * 2) return n(hours / 24 / 30, "months");
  return n(hours / 24 / 365, "years");
}

bool process_alive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto stat = sys::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat) return false;
  // The state letter follows the ")" that ends the command name.
  size_t close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size()) return false;
  char st = (*stat)[close + 2];
  if (st == 'Z' || st == 'X') return false;
  if (start_time == 0) return true;
  auto t = sys::process_start_time(pid);
  return t && *t == start_time;
}

bool wait_process_gone(pid_t pid, uint64_t start_time, int timeout_ms) {
  if (pid <= 0) return true;
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    if (errno == ESRCH) return true;
    // No pidfd (a filter refusing pidfd_open, no fds left): poll, as before pidfds.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (process_alive(pid, start_time)) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  // The pidfd pins the process it was opened for: checked now, a reused pid cannot fool us.
  if (!process_alive(pid, start_time)) return true;
  pollfd p{pidfd.get(), POLLIN, 0};
  int n;
  do {
    n = ::poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

LiveState live_state(const std::string& run_dir, const std::string& runtime_root,
                     const std::string& id) {
  LiveState s;
  auto rec = shim::read_state(run_dir + "/state.json");
  if (!rec) {
    s.status = "created";
    return s;
  }
  s.record = *rec;
  s.shim_alive = process_alive(rec->shim_pid, rec->shim_start_time);
  const std::string& st = rec->status;
  if (st == "running" || st == "restarting") {
    if (s.shim_alive) {
      s.status = st;
    } else if (st == "running" && process_alive(rec->pid, rec->pid_start_time)) {
      s.status = "running";
    } else {
      // The shim died and nobody recorded how the container ended.
      s.status = "exited";
      s.record.exit_code = s.record.exit_code ? s.record.exit_code : 255;
      if (s.record.error.empty()) s.record.error = "the container's shim exited unexpectedly";
    }
  } else {
    s.status = st.empty() ? "created" : st;
  }
  if (s.status == "running") {
    auto rs = runtime::load_state(runtime_root, id);
    if (rs) {
      runtime::StatePaths paths = runtime::state_paths(runtime_root, id);
      if (runtime::live_status(*rs, paths) == runtime::ContainerStatus::kPaused)
        s.status = "paused";
    }
  }
  return s;
}

std::string status_text(const LiveState& s, int64_t now_ns) {
  const shim::ShimState& r = s.record;
  std::string health;
  if (!r.health.empty())
    health = r.health == "starting" ? " (health: starting)" : " (" + r.health + ")";
  if (s.status == "running" || s.status == "paused") {
    std::string out = "Up " + human_duration(now_ns - parse_time(r.started_at));
    if (s.status == "paused") return out + " (Paused)";
    return out + health;
  }
  if (s.status == "restarting")
    return "Restarting (" + std::to_string(r.exit_code) + ") " +
           human_duration(now_ns - parse_time(r.finished_at)) + " ago";
  if (s.status == "exited")
    return "Exited (" + std::to_string(r.exit_code) + ") " +
           human_duration(now_ns - parse_time(r.finished_at)) + " ago";
  if (s.status == "dead") return "Dead";
  return "Created";
}

}  // namespace hako::engine
