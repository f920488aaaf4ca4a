// Process creation and reaping: clone3 (fork semantics, optional namespaces, pidfd, cgroup),
// waiting with deadlines, /proc/<pid>/stat start times (to tell a live pid from a reused one).
// Stateless wrappers; the caller owns the children they create.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::sys {

struct CloneResult {
  pid_t pid = 0;   // 0 in the child
  UniqueFd pidfd;  // parent only, when asked for
};

// clone3 without CLONE_VM: returns twice like fork(). `flags` may include CLONE_NEW* and
// CLONE_PARENT; `cgroup_fd` >= 0 adds CLONE_INTO_CGROUP (cgroup v2 only).
Result<CloneResult> clone_process(uint64_t flags, bool want_pidfd, int cgroup_fd = -1);

// Waits for `pid`; returns the shell-style status: exit code, or 128+signal.
Result<int> wait_exit_code(pid_t pid);
// Decodes a waitpid status the same way.
int exit_code_from_status(int status);

// Field 22 of /proc/<pid>/stat (clock ticks since boot); nullopt if the process is gone.
std::optional<uint64_t> process_start_time(pid_t pid);
// One of R S D Z T t X I..., or nullopt if gone.
std::optional<char> process_state(pid_t pid);

// Sends a signal through a pidfd (no pid-reuse race) or, without one, by pid.
Status send_signal(pid_t pid, int sig);

// Closes every fd >= first except those in `keep` (close_range over the gaps). Used by the
// container's init so nothing the runtime opened (cgroup dirs, sockets) survives into it.
Status close_fds_except(int first, std::vector<int> keep);

// Restores default dispositions and an empty mask for every signal: what the runtime changed
// for itself must not reach the container's process through execve.
void reset_signals();

// Signal name ("KILL", "SIGKILL", "kill") or number ("9") → number.
Result<int> parse_signal(std::string_view text);

}  // namespace hako::sys
