// Starting the container's init and exec'd processes with the shim holding their stdio: pipes
// (stdin only when it is kept open), or the pty master when the process has a terminal. The
// runtime's processes inherit the caller's fds 0-2, so the shim, single-threaded, puts the
// child ends there for the duration of the call and /dev/null back after (its own stdio is
// /dev/null: it writes diagnostics to shim.log).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/log.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"
#include "shim/shim_config.h"

namespace hako::shim {

struct ProcessIo {
  pid_t pid = 0;
  UniqueFd stdin_w;  // invalid when stdin is not kept open, or with a terminal
  UniqueFd stdout_r;
  UniqueFd stderr_r;
  UniqueFd console;  // pty master (stdin and output both) with a terminal
};

// create + start in one go (the runtime's `run` without foreground). Errors keep the
// runtime's message ("exec: \"nope\": executable file not found in $PATH").
Result<ProcessIo> start_init(const ShimConfig& c, Logger& log);

// exec into the running container. own_pid_ns: an fd of the shim's own pid namespace; the
// runtime enters the container's for its child, and the shim must go back to its own so a
// later restart clones the init into a fresh one.
Result<ProcessIo> start_exec(const ShimConfig& c, const oci::Process& process, bool with_stdin,
                             int own_pid_ns, Logger& log);

// The exit code Docker reports when the container's process could not be started:
// 127 not found, 126 not executable, else 125.
int start_failure_code(const Error& e);

// OOM kills recorded by the container's memory cgroup (v1 memory.oom_control or v2
// memory.events); 0 when unknown. Read before the runtime deletes the cgroup.
uint64_t oom_kills(const std::string& runtime_root, const std::string& id);

}  // namespace hako::shim
