// Docker's defaults for a container's OCI spec, as dockerd 20.10 (moby's oci/defaults.go and
// daemon/oci_linux.go) writes them: capabilities, masked and read-only paths, the standard
// mounts, the device cgroup rules and the PATH. Checked against the config.json Debian's
// dockerd 20.10.24 hands to runc. Constants and pure functions; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hako::engine {

// PATH when neither the image nor the user sets one (moby's system.DefaultPathEnv).
inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// /dev/shm's size when HostConfig.ShmSize is 0 (64 MiB).
inline constexpr int64_t kDefaultShmSize = 64 << 20;

// The 14 capabilities every container gets, in Docker's order ("CAP_CHOWN", ...).
const std::vector<std::string>& default_capabilities();
// Every capability this kernel knows (--privileged, --cap-add ALL).
std::vector<std::string> all_capabilities();

const std::vector<std::string>& default_masked_paths();
const std::vector<std::string>& default_readonly_paths();

struct DefaultMountOptions {
  int64_t shm_size = kDefaultShmSize;
  bool sys_writable = false;  // --privileged
};
// /proc, /dev, /dev/pts, /sys, /sys/fs/cgroup, /dev/mqueue, /dev/shm as OCI mount objects.
nlohmann::json default_mounts(const DefaultMountOptions& options);

// linux.resources.devices for an unprivileged container: deny all, then the standard nodes
// (null zero full random urandom tty... as Docker lists them), then deny fuse (10:229).
nlohmann::json default_device_rules();

}  // namespace hako::engine
