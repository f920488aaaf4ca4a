// Preparing the container's seccomp filter in the runtime process (compiled once, cached by
// profile) so the child only has to install it: one seccomp(2) call on the start path.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::runtime {

// Docker-format profiles are resolved against `capabilities` (the container's bounding set).
// Returns the installer the container's init calls just before exec.
Result<std::function<Result<UniqueFd>()>> prepare_seccomp(
    const oci::Seccomp& profile, const std::vector<std::string>& capabilities,
    const std::string& state_root);

}  // namespace hako::runtime
