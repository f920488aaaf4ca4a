// Docker's seccomp profile format → oci::Seccomp, resolving includes/excludes and archMap
// against a ProfileContext. Internal to the seccomp module (parse_profile is the entry point).
// Pure function; thread safe.
#pragma once

#include "base/result.h"
#include "json/reader.h"
#include "oci/spec.h"
#include "seccomp/profile.h"

namespace hako::seccomp {

Result<oci::Seccomp> read_docker_profile(const json::Value& doc, const ProfileContext& ctx);

}  // namespace hako::seccomp
