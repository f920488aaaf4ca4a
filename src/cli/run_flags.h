// Docker's `run`/`create` flags and their conversion into Docker's ContainerCreate body.
//
// RunFlags holds every value exactly as the user typed it (CLI11 fills it; add_run_flags
// registers Docker's spellings). to_create_body turns it into the JSON the docker CLI sends to
// POST /containers/create (API v1.41 names: the Config fields at the top level, "HostConfig",
// "NetworkingConfig"), with the docker CLI's conversions and error messages, so `hako run` and
// a later Engine API server share one definition format. Unlike the docker CLI, fields left at
// Docker's zero value are omitted (absent means "not set" to the engine), except the attach
// flags, Tty, OpenStdin, StdinOnce, Image and HostConfig.NetworkMode ("default" when no
// --network, as Docker sends).
//
// Flags that are not part of the container's definition (-d, --name, --pull, --platform,
// --detach-keys, --sig-proxy, -a's checks against -d) stay in RunFlags for the command to use;
// --name and --platform are query parameters in Docker's API, not body fields.
//
// to_create_body reads only --env-file, --label-file, the seccomp profile file and the
// environment (for `-e NAME` and env-file lines naming a variable alone). Thread safe as long as
// the environment is not modified concurrently.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/result.h"

namespace hako::cli {

// Every value as the user typed it; "" (or empty vector) is "not given".
struct RunFlags {
  // Not part of the container's definition.
  bool detach = false, rm = false, interactive = false, tty = false;
  std::string name, cidfile, pull = "missing", platform, detach_keys;
  std::vector<std::string> attach;  // -a STDIN|STDOUT|STDERR
  bool sig_proxy = true;

  // Config
  std::vector<std::string> env, env_file, label, label_file, expose, volume;
  std::string workdir, user, hostname, domainname, stop_signal, stop_timeout;
  std::optional<std::string> entrypoint;  // set but "" resets the image's entrypoint
  std::string health_cmd, health_interval, health_timeout, health_retries, health_start_period;
  bool no_healthcheck = false;

  // HostConfig: storage
  std::vector<std::string> mount, tmpfs, volumes_from;
  bool read_only = false;
  // HostConfig: resources
  std::string memory, memory_swap, memory_reservation, memory_swappiness, kernel_memory;
  std::string cpus, cpu_shares, cpu_period, cpu_quota, cpuset_cpus, cpuset_mems, pids_limit;
  std::string shm_size, blkio_weight, cgroup_parent;
  std::vector<std::string> ulimit, device, device_cgroup_rule, device_read_bps, device_write_bps,
      device_read_iops, device_write_iops;
  bool oom_kill_disable = false;
  std::string oom_score_adj;
  // HostConfig: security and namespaces
  std::vector<std::string> cap_add, cap_drop, security_opt, group_add, sysctl;
  bool privileged = false;
  std::string userns, ipc, pid, uts, cgroupns;
  std::optional<bool> init;  // only sent when given, as Docker does
  // HostConfig: lifecycle and logging
  std::string restart, log_driver;
  std::vector<std::string> log_opt;
  // Networking
  std::vector<std::string> network, network_alias, publish, add_host, dns, dns_search, dns_option;
  std::string ip, ip6;
  bool publish_all = false;
};

// Registers Docker's flags for `run` (with_run_only: -d, --sig-proxy, --detach-keys, which
// `create` does not have) on cmd, and makes cmd stop at the first positional argument so the
// image's command keeps its own flags (`run busybox ls -l`): CLI11 leaves the image, the
// command and any unknown flag in cmd.remaining(); pass that to split_positionals.
void add_run_flags(CLI::App& cmd, RunFlags& flags, bool with_run_only);

// pflag reads "--flag=" as the empty value (`--entrypoint=` resets the entrypoint); CLI11 would
// take the next argument instead. Rewrites each "--flag=" of a value-taking flag before the
// image into "--flag" "". args: the arguments after the command's name, before cmd.parse.
std::vector<std::string> split_empty_flag_values(const CLI::App& cmd,
                                                 std::vector<std::string> args);

struct Positionals {
  std::string image;
  std::vector<std::string> command;
};
// remaining = cmd.remaining() after parsing: ["IMAGE", "CMD", "ARG"...]. A leading "-x" is
// Docker's "unknown flag: -x"; none is `"<command>" requires at least 1 argument`.
Result<Positionals> split_positionals(const std::vector<std::string>& remaining,
                                      const std::string& command_name);

// The ContainerCreate body, as the docker CLI builds it. kInvalidArgument with Docker's wording
// for a bad value (`invalid argument "12x" for "-m, --memory" flag: invalid size: '12x'`).
Result<nlohmann::json> to_create_body(const RunFlags& flags, const std::string& image,
                                      const std::vector<std::string>& command);

}  // namespace hako::cli
