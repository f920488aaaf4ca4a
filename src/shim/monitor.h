// Monitor: hako-shim's event loop for one container. It starts the container (shim_config.h),
// holds its stdio (log file + attached clients), serves the control socket (protocol.h),
// performs exec, records every change in the state file (state_file.h), applies the restart
// policy with Docker's backoff, and at the end deletes the runtime state and unmounts the
// rootfs before anyone is told the container exited, so a client that removes the container
// next finds nothing in use.
//
// Single-threaded by design: the runtime's namespace work must not run in a threaded process.
// Ownership: the Monitor owns every fd it polls, and the container's processes are its
// children (the shim is their subreaper).
#pragma once

#include <memory>

#include "base/log.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "shim/shim_config.h"

namespace hako::shim {

class Monitor;

// Runs the container to its end; returns the shim's exit status. creator: the CLI's end of
// the socketpair (invalid if none); it sends its first request (kAttach, or kOk to detach)
// before the container starts, and gets kOk {"pid"} or kError back.
int run_monitor(ShimConfig config, UniqueFd creator, Logger& log);

}  // namespace hako::shim
