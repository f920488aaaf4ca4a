// The verbs that act on an existing container: start, state, kill, delete, list, ps.
// Each loads the container's state, takes its lock, checks the status guard and acts.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/log.h"
#include "base/result.h"
#include "oci/spec.h"
#include "runtime/state.h"

namespace hako::runtime {

// The container's status including "paused" (a frozen cgroup): one more file read than
// container_status().
ContainerStatus live_status(const ContainerState& state, const StatePaths& paths);

// pause/resume: freeze or thaw every process of a running or created (resp. paused) container;
// any other state is a kFailedPrecondition naming it, and nothing changes.
Status pause_container(const std::string& root, const std::string& id);
Status resume_container(const std::string& root, const std::string& id);

// update: new cgroup limits for a created, running or paused container.
Status update_container(const std::string& root, const std::string& id,
                        const oci::Resources& resources);

// Releases a created container's init; poststart hook failures are logged, not fatal (spec).
Status start_container(const std::string& root, const std::string& id, Logger& log);
Result<std::string> container_state_json(const std::string& root, const std::string& id);
Status kill_container(const std::string& root, const std::string& id, int signal, bool all);
// force: kill a running container first; a missing container is then no error (containerd
// calls `delete --force` on containers that are already gone).
Status delete_container(const std::string& root, const std::string& id, bool force, Logger& log);

struct ListEntry {
  ContainerState state;
  ContainerStatus status;
};
Result<std::vector<ListEntry>> list_containers(const std::string& root);
Result<std::vector<pid_t>> container_pids(const std::string& root, const std::string& id);

}  // namespace hako::runtime
