// Docker's shapes for a container: `inspect` (ContainerInspectResponse, API v1.41) and the
// summary `ps` lists. Pure functions over the record and its live state.
#pragma once

#include <string>
#include <vector>

#include "engine/containers.h"
#include "engine/live_state.h"
#include "engine/paths.h"
#include "json/reader.h"

namespace hako::engine {

// Entrypoint + Cmd of the merged config: what the container runs.
std::vector<std::string> container_command(const ContainerRecord& c);

// spec: the container's config.json (for Mounts), or nullptr; volumes_root: <root>/volumes.
json::Value inspect_container(const ContainerRecord& c, const LiveState& s, const ContainerPaths& p,
                              const json::Value* spec = nullptr,
                              const std::string& volumes_root = "");

// RFC 3339 with nanoseconds, UTC, from unix nanoseconds.
std::string rfc3339_nano(int64_t ns);

}  // namespace hako::engine
