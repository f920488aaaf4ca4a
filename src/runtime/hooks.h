// OCI hooks: run a hook binary with the container state JSON on its stdin, its own args and
// env, and a deadline. Called from the runtime's namespaces (prestart, createRuntime,
// poststart, poststop) and from the container's init (createContainer, startContainer).
// Stateless; each call forks and reaps one child.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"

namespace hako::runtime {

// Runs each hook in order; the first failure stops the sequence and is returned, naming the
// hook kind, its index and path ("createRuntime hook 0 (/bin/x): exited with status 1").
Status run_hooks(const std::vector<oci::Hook>& hooks, const char* kind,
                 const std::string& state_json);

}  // namespace hako::runtime
