// The container's terminal: a pty opened inside the container's own devpts instance (so the
// slave's path and owner are the container's), the slave made the caller's stdio and
// controlling terminal. The master is returned for the runtime to pass on (--console-socket)
// or relay (run in the foreground). Called in the single-threaded child only.
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::runtime {

Result<UniqueFd> open_console(const oci::Process& process);

}  // namespace hako::runtime
