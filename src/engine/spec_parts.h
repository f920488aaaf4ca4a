// The pieces build_spec assembles, one file each (internal to the engine module):
// spec_security.cc (capabilities, --security-opt, seccomp), spec_mounts.cc (mounts),
// spec_resources.cc (cgroup resources, rlimits, sysctls, devices), spec_files.cc (hosts,
// hostname, resolv.conf). Pure functions over the create body unless noted; thread safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "engine/spec_builder.h"

namespace hako::engine::spec {

using nlohmann::json;

// Typed readers over the create body: absent or null gives the zero value; a wrong type is an
// error naming `path`.
Result<std::string> get_string(const json& obj, const std::string& path, const char* key);
Result<int64_t> get_int(const json& obj, const std::string& path, const char* key);
Result<bool> get_bool(const json& obj, const std::string& path, const char* key);
Result<std::vector<std::string>> get_strings(const json& obj, const std::string& path,
                                             const char* key);

struct SecurityOptions {
  bool no_new_privileges = false;
  std::string apparmor_profile;
  std::optional<std::string> seccomp;  // "unconfined" or the profile's JSON text
  bool systempaths_unconfined = false;
};
// HostConfig.SecurityOpt, as dockerd parses it ("key=value" or the legacy "key:value").
Result<SecurityOptions> parse_security_opts(const std::vector<std::string>& opts);

// The bounding set: Docker's defaults tweaked by CapAdd/CapDrop, or everything for privileged.
Result<std::vector<std::string>> container_capabilities(const json& host_config, bool privileged);

// linux.seccomp, or null for unconfined/privileged.
Result<json> seccomp_spec(const SecurityOptions& sec, bool privileged,
                          const std::vector<std::string>& capabilities);

struct MountContext {
  const SpecInputs& in;
  const json& config;  // the merged Config
  const json& host_config;
  bool readonly_rootfs = false;
  bool privileged = false;
  int64_t shm_size = 0;
};
// Every mount: Docker's defaults, hako-init, Binds/Mounts/Tmpfs/volumes sorted by depth, then
// /etc/resolv.conf, /etc/hostname, /etc/hosts from container_dir.
Result<json> build_mounts(const MountContext& ctx);

// linux.resources without the device rules.
Result<json> build_resources(const json& host_config);
Result<json> build_rlimits(const json& host_config);
// HostConfig.Sysctls, with Docker's defaults for a private network namespace.
Result<json> build_sysctls(const json& host_config, bool own_network);
// linux.devices, appending the matching allow rules to `rules`.
Result<json> build_devices(const json& host_config, bool privileged, json& rules);

// Writes hosts, hostname and resolv.conf into dir.
Status write_network_files(const std::string& dir, const std::string& hostname,
                           const std::vector<std::string>& extra_hosts, bool host_network);

}  // namespace hako::engine::spec
