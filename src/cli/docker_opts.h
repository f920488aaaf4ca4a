// The docker CLI's value parsers for `run`/`create` (github.com/docker/cli opts/ and
// cli/command/container/opts.go, go-connections nat, go-units ulimit), each returning the
// Engine API JSON Docker sends and Docker's error text as kInvalidArgument. run_flags.cc composes
// them into the ContainerCreate body. Pure except where noted (files, the environment).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace hako::cli {

// Go's strconv.ParseInt(s, 0, bits) (pflag's int flags): "0x10", "010", "-3".
Result<int64_t> parse_go_int(std::string_view s, int bits);
// strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view s);
// Go's path.Clean.
std::string clean_path(std::string_view p);

// opts.ValidateEnv: "K=V" as is; "K" takes K's value from the environment, or nullopt when K is
// not set (the variable is dropped).
Result<std::optional<std::string>> validate_env(const std::string& value);
// As the docker CLI sends them: "net_admin" → "CAP_NET_ADMIN" ("ALL" and "RESET" as they are),
// duplicates dropped.
std::vector<std::string> normalize_capabilities(const std::vector<std::string>& caps);
// Docker's env-file/label-file format: "K=V" lines, '#' comments, blank lines; a line "K" alone
// takes K from the environment when from_env (env files), else is dropped (label files).
// Errors: "--env-file: open /x: no such file or directory", "invalid env file (/x): ...".
Result<std::vector<std::string>> read_kv_file(const std::string& path, bool from_env);

// "no", "always", "unless-stopped", "on-failure[:N]" → {"Name", "MaximumRetryCount"}.
Result<nlohmann::json> parse_restart_policy(const std::string& value);
// "nofile=1024[:2048]" → {"Name", "Soft", "Hard"}.
Result<nlohmann::json> parse_ulimit(const std::string& value);
// "/dev/x[:/dev/y][:rwm]" → {"PathOnHost", "PathInContainer", "CgroupPermissions"}.
Result<nlohmann::json> parse_device(const std::string& value);
// --mount's CSV ("type=bind,source=/a,target=/b,readonly") → an API Mount object.
Result<nlohmann::json> parse_mount(const std::string& value);
// "/dev/sda:1mb" (bytes) or "/dev/sda:100" (iops) → {"Path", "Rate"}.
Result<nlohmann::json> parse_throttle_device(const std::string& value, bool bytes);
// -v: checks the daemon's syntax rules for SRC:DST[:MODE] and an anonymous /DST. Returns the
// bind ("./x" made absolute) or nullopt for an anonymous volume (Config.Volumes).
Result<std::optional<std::string>> parse_volume(const std::string& value);

// -p specs (short "[ip:][host:]container[/proto]" or long "target=80,published=8080") and
// --expose, merged into Config.ExposedPorts and HostConfig.PortBindings.
Status parse_ports(const std::vector<std::string>& publish, const std::vector<std::string>& expose,
                   nlohmann::json& exposed_ports, nlohmann::json& port_bindings);

// opts.ValidateExtraHost: "host:ip" or "host=ip" (ip may be host-gateway) → "host:ip".
Result<std::string> validate_extra_host(const std::string& value);
// opts.ValidateIPAddress: the address, trimmed.
Result<std::string> validate_ip(const std::string& value);
// opts.ValidateSysctl: namespaced sysctls only (net.*, fs.mqueue.*, the IPC kernel.* ones).
Status validate_sysctl(const std::string& value);
// parseSecurityOpts: checks "key=value" (or "key:value"; no-new-privileges alone) and inlines a
// seccomp=FILE profile as compact JSON; reads that file.
Result<std::vector<std::string>> parse_security_opts(const std::vector<std::string>& values);

}  // namespace hako::cli
