// Protection of the runtime binary from a container (CVE-2019-5736): a process inside a
// container can open /proc/<runtime pid>/exe while the runtime works in the container's
// namespaces and, once the runtime exits, write through it into the host's binary.
//
// Before entering any container we re-execute through a private read-only overlay of our own
// directory (no copy; a sealed memfd copy where overlayfs is unavailable), so /proc/self/exe
// never points at a writable host file. Only commands that enter a
// container (create, run, exec) pay for it; state, list, kill, delete do not.
#pragma once

#include <string>

#include "base/result.h"

namespace hako::runtime {

// Returns only if already running from a sealed copy (or on error); otherwise execs it.
// `state_root` holds the empty directory the overlay needs as its second layer.
Status ensure_sealed_binary(const std::string& state_root, char** argv, char** envp);

}  // namespace hako::runtime
