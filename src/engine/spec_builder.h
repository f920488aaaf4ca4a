// From a container's definition (Docker's ContainerCreate body) and its image's config to
// (a) the merged Config `inspect` shows and (b) the OCI runtime spec (config.json) that
// hako-runtime and crun both run, with Docker 20.10's defaults: capabilities, the default
// seccomp profile (resolved to plain OCI for the container's capabilities), masked and
// read-only paths, mounts, device rules, environment, user and groups from the image's files.
//
// build_spec also writes the container's hosts, hostname and resolv.conf into
// SpecInputs::container_dir (the spec binds them), creates a missing WorkingDir in the rootfs
// and, as Docker does for `-v /host:/ctr`, a missing bind source directory for a Binds entry.
// Errors name the field ("HostConfig.Ulimits[0]: ...") or use Docker's own wording where users
// know it. Absent or null fields are Docker's zero values. Thread safe; no shared state.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "archive/id_remap.h"
#include "base/result.h"

namespace hako::engine {

// Where hako-init is mounted in the container when HostConfig.Init is set.
inline constexpr const char* kInitPathInContainer = "/sbin/hako-init";

struct SpecInputs {
  const nlohmann::json& create;        // the create body
  const nlohmann::json& image_config;  // the image config's "config" object
  std::string id, name;
  std::string rootfs;         // absolute path of the mounted rootfs
  std::string container_dir;  // hosts, hostname and resolv.conf are written here
  std::string init_path;      // host path of hako-init, used when HostConfig.Init
  // Named and anonymous volumes: the host directory to bind for volume `name` mounted at
  // `target` (the engine creates and populates it). Anonymous volumes get a fresh 64-hex name.
  std::function<Result<std::string>(const std::string& name, const std::string& target)>
      volume_source;
  // A remapped container (engine/userns_remap.h): a user namespace with these maps.
  std::optional<archive::IdRemap> remap;
};

// Docker's merge of the create body's Config fields over the image's (daemon/commit.go):
// Env (the user's, then the image's whose names the user did not set), Cmd/Entrypoint (an
// Entrypoint given, even [""], drops the image's Cmd; [""] means none), WorkingDir, User,
// Labels, Volumes, StopSignal, Healthcheck (per field), ExposedPorts. Returns the Config
// object (top-level fields of the body, without HostConfig/NetworkingConfig).
Result<nlohmann::json> merge_config(const nlohmann::json& create,
                                    const nlohmann::json& image_config);

// The OCI config.json for the container.
Result<nlohmann::json> build_spec(const SpecInputs& in);

}  // namespace hako::engine
