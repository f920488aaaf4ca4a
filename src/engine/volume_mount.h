// VolumeMount: what Docker's local driver options (type, device, o) ask to mount at a
// volume's _data while containers use it: `--opt type=tmpfs --opt device=tmpfs --opt
// o=size=64m,uid=1000` (a tmpfs; its content is lost at unmount, as in Docker) or `--opt
// type=none --opt o=bind --opt device=/some/dir` (a bind of a host directory). parse checks
// the options at `volume create`, so a bad one is refused there and not at the first run;
// use_volume mounts at a container's start (shim/volume_use.h counts the users). Value
// types and stateless functions.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "shim/volume_use.h"

namespace hako::engine {

struct VolumeMount {
  std::string type;    // "tmpfs", "none" (a bind) or a filesystem of /proc/filesystems
  std::string device;  // the source: a host path for a bind, a device, "tmpfs"
  unsigned long flags = 0;
  std::string data;  // what the filesystem takes (tmpfs: size=64m,uid=1000)
  bool bind = false, recursive = false;

  bool operator==(const VolumeMount&) const = default;
};

// The options' mount; nullopt when they ask for none (no type: a plain directory). Errors
// name the option and say what is accepted. known_filesystem: whether the kernel has a
// filesystem type (default: /proc/filesystems).
Result<std::optional<VolumeMount>> parse_volume_mount(
    const nlohmann::json& options,
    const std::function<bool(const std::string&)>& known_filesystem = {});

// Mounts m at target (the volume's _data).
Status mount_volume(const VolumeMount& m, const std::string& target);

// A share of the volume in volume_dir, mounted first if no one has it mounted.
Result<shim::VolumeUse> use_volume(const std::string& name, const std::string& volume_dir,
                                   const VolumeMount& m);

}  // namespace hako::engine
