// oci::Seccomp → the `linux.seccomp` object of config.json, in plain OCI form (what runc and
// crun read). The inverse of oci::read_value(…, Seccomp&). Pure function; thread safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "oci/spec.h"

namespace hako::engine {

nlohmann::json seccomp_to_json(const oci::Seccomp& profile);

// Docker's default profile (src/seccomp/profiles/docker-default.json), compiled into the binary
// so no file has to be found at run time. Docker's format: resolve it with seccomp::parse_profile.
std::string_view docker_default_seccomp_profile();

}  // namespace hako::engine
