// A container's persisted state: what `create` records so that later, separate invocations
// (start, state, kill, delete, exec, list) can find the container.
//
// Layout under the runtime root (default /run/hako-runtime, --root to change):
//   <root>/<id>/state.json   written atomically (temp file, fsync, rename)
//   <root>/<id>/exec.fifo    exists from create until start: its presence means "created"
// The status is derived, not stored: a stored pid whose start time still matches is alive;
// alive with the fifo present is "created", without it "running"; gone or a zombie is
// "stopped". Values only; callers serialise access with lock_container().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::runtime {

enum class ContainerStatus { kCreating, kCreated, kRunning, kPaused, kStopped };
const char* status_name(ContainerStatus s);

// One hierarchy's cgroup directory of the container, as stored in state.json.
struct StoredCgroup {
  std::string hierarchy;   // "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2
  std::string path;        // absolute host path
  int created_levels = 0;  // trailing components hako created (recorded; delete removes the leaf)
};

struct ContainerState {
  std::string id;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;
  std::string bundle;
  std::string rootfs;
  std::string created;  // RFC 3339
  std::string owner;
  std::map<std::string, std::string> annotations;
  std::vector<StoredCgroup> cgroups;
  std::vector<oci::Hook> poststop_hooks;
  std::vector<oci::Hook> poststart_hooks;
  // Kept so exec can apply the container's own seccomp filter and namespaces.
  std::string config_path;
  std::vector<std::string> namespaces;  // types of namespaces the container has
  bool has_new_user_ns = false;
};

// Paths of one container's state.
struct StatePaths {
  std::string dir;
  std::string state_file() const { return dir + "/state.json"; }
  std::string exec_fifo() const { return dir + "/exec.fifo"; }
};

Status validate_container_id(const std::string& id);
StatePaths state_paths(const std::string& root, const std::string& id);

Status save_state(const StatePaths& paths, const ContainerState& state);
// kNotFound "container X does not exist" when there is no state.
Result<ContainerState> load_state(const std::string& root, const std::string& id);

// Live status from the stored pid and the fifo.
ContainerStatus container_status(const ContainerState& state, const StatePaths& paths);

// The OCI state JSON ("ociVersion", "id", "status", "pid", "bundle", ...), as `state` prints
// and hooks receive on stdin.
std::string oci_state_json(const ContainerState& state, ContainerStatus status, bool pretty);

// Exclusive flock on the container's state dir for the lifetime of the returned fd.
Result<UniqueFd> lock_container(const StatePaths& paths);

std::string rfc3339_now();

}  // namespace hako::runtime
