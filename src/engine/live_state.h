// A container's state as `ps` and `inspect` report it, from the shim's state file checked
// against the processes it names: a "running" record whose shim was killed is still running
// if its init is alive (and is exited otherwise), so a dead shim never lies. Read-only.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "shim/state_file.h"

namespace hako::engine {

struct LiveState {
  // Docker's words: created | running | paused | restarting | exited | dead
  std::string status;
  shim::ShimState record;  // as the shim last wrote it (defaults when never started)
  bool shim_alive = false;
};

// run_dir: <state>/containers/<id>; runtime_root: <state>/runtime.
LiveState live_state(const std::string& run_dir, const std::string& runtime_root,
                     const std::string& id);

// Whether pid is alive, not a zombie, and started at start_time (0: not checked).
bool process_alive(pid_t pid, uint64_t start_time);

// Waits up to timeout_ms for that process to end (a zombie has ended); true once it has.
// Sleeps in poll(2) on a pidfd, so the caller wakes the moment it exits.
bool wait_process_gone(pid_t pid, uint64_t start_time, int timeout_ms);

// go-units' HumanDuration, as Docker's ps prints it ("About a minute", "3 hours").
std::string human_duration(int64_t ns);
// "2026-12-01T10:00:00.123456789Z" → unix ns; 0 when unparsable.
int64_t parse_time(const std::string& rfc3339);

// Docker's STATUS column: "Up 2 minutes", "Exited (0) 3 seconds ago", "Created", with
// " (Paused)" / " (healthy)".
std::string status_text(const LiveState& s, int64_t now_ns);

}  // namespace hako::engine
