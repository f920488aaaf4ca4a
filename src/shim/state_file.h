// The shim's record of its container, <run_dir>/state.json: what `ps` and `inspect` show.
// Only the shim writes it, always whole (temp file + rename), at each change: started, exited,
// restarting. Readers that find a "running" record whose shim is gone check the container's
// process themselves (engine), so a killed shim never makes a container look alive or dead
// when it is not. A missing file means the container was never started.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/result.h"

namespace hako::shim {

struct ShimState {
  std::string status;           // running | restarting | exited | created (a start that failed)
  pid_t pid = 0;                // the container's init on the host (0 when not running)
  uint64_t pid_start_time = 0;  // /proc/PID/stat starttime: tells a reused pid apart
  pid_t shim_pid = 0;
  uint64_t shim_start_time = 0;
  std::string started_at;   // RFC 3339 with nanoseconds, UTC
  std::string finished_at;  // "" while running
  int exit_code = 0;
  bool oom_killed = false;
  int restart_count = 0;
  bool manual_stop = false;  // stopped by `hako stop`: unless-stopped does not restart it
  std::string error;         // why the start failed
  std::string health;        // "" (no check) | starting | healthy | unhealthy
  int health_failing_streak = 0;
  std::string health_log;  // JSON array of Docker's HealthcheckResult, the last five
};

Status write_state(const std::string& path, const ShimState& s);
// kNotFound when the file does not exist.
Result<ShimState> read_state(const std::string& path);

// Now as Docker prints times: 2026-12-01T10:00:00.123456789Z.
std::string rfc3339_nano_now();

}  // namespace hako::shim
