// Waiting for a container process in the foreground (`run`, `exec` without --detach):
// forwards the signals we receive to it, relays a pty when it has a terminal, and returns its
// exit status the way a shell reports it (code, or 128 + signal).
#pragma once

#include <sys/types.h>

#include "base/result.h"

namespace hako::runtime {

// console: the pty master (or -1 without a terminal).
Result<int> wait_in_foreground(pid_t pid, int console);

}  // namespace hako::runtime
