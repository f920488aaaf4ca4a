// Waiting for a container process in the foreground (`run`, `exec` without --detach):
// forwards the signals we receive to it, relays a pty when it has a terminal, and returns its
// exit status the way a shell reports it (code, or 128 + signal).
#pragma once

#include <sys/types.h>

#include "base/result.h"

namespace hako::runtime {

// Blocks the signals wait_in_foreground forwards, so one that arrives while the container is
// still being created waits for it instead of killing the runtime (and orphaning the
// container). Call before create/exec; the container's process starts with a clean mask.
void block_forwarded_signals();

// console: the pty master (or -1 without a terminal).
Result<int> wait_in_foreground(pid_t pid, int console);

}  // namespace hako::runtime
