// `hako-runtime features`: what this build supports, as the OCI runtime features document
// (runtime-spec features.md) describes it.
#pragma once

#include <string>

namespace hako::runtime {

std::string features_json();

}  // namespace hako::runtime
