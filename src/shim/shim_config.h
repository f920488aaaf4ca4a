// ShimConfig: what one hako-shim runs, as JSON in a memfd the CLI writes and hands the shim
// (--config-fd). It carries only what the monitor needs; the container itself is
// described by the OCI bundle (config.json) the runtime reads. Value type.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "json/reader.h"

namespace hako::shim {

struct RestartPolicy {
  std::string name = "no";  // no | always | unless-stopped | on-failure
  int max_retries = 0;      // on-failure only; 0 = unbounded
};

struct HealthConfig {
  std::vector<std::string> test;  // ["CMD", args...] | ["CMD-SHELL", cmd]; empty: none
  int64_t interval_ns = 30'000'000'000;
  int64_t timeout_ns = 30'000'000'000;
  int64_t start_period_ns = 0;
  int retries = 3;
};

// A named or anonymous volume in the container's mounts: the shim records Docker's volume
// "mount" event for it at each start and "unmount" at each exit.
struct VolumeMount {
  std::string name;
  std::string destination;
  bool rw = true;
};

struct ShimConfig {
  std::string id;
  std::string bundle;        // <root>/containers/<id>
  std::string run_dir;       // <state>/containers/<id>
  std::string runtime_root;  // <state>/runtime
  std::string log_path;      // "" = no log
  int64_t log_max_size = 20 << 20;
  int log_max_files = 5;
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  RestartPolicy restart;
  int stop_signal = 15;
  int stop_timeout = 10;  // seconds
  HealthConfig health;
  // What to run once the container is done for good, when it is to be removed (--rm) and no
  // client said it removes it itself: argv of `hako ... rm -f <id>`.
  std::vector<std::string> remove_command;
  // The store (--root), where the shim appends the container's events (event_log.h), and
  // the Actor attributes they carry (image, name, labels). root "": no events.
  std::string root;
  std::map<std::string, std::string> event_attributes;
  // Volumes mounted while the container runs (<root>/volumes/<name>, volume_use.h): the shim
  // holds a share of each and the last user unmounts.
  std::vector<std::string> volume_dirs;
  std::vector<VolumeMount> volume_mounts;
};

Result<ShimConfig> parse_shim_config(std::string_view text);
json::Value shim_config_json(const ShimConfig& c);

}  // namespace hako::shim
