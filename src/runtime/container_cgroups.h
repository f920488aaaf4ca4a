// The runtime's view of a container's cgroups: create them with the spec's limits, move
// processes in, list and kill what is inside, remove them. Wraps the cgroup module's manager
// for this machine's layout (v1, v2 or hybrid). A cgroup outlives the process that made it,
// so removal is explicit (destroy) and the paths are stored in the container's state.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"
#include "runtime/rootfs.h"
#include "runtime/state.h"

namespace hako::runtime {

class ContainerCgroups {
 public:
  ContainerCgroups();
  ~ContainerCgroups();
  ContainerCgroups(ContainerCgroups&&) noexcept;
  ContainerCgroups& operator=(ContainerCgroups&&) noexcept;

  // mkdir in every hierarchy and apply linux.resources before any process joins.
  static Result<ContainerCgroups> create(const oci::Spec& spec, const std::string& id);
  // Re-attach to the cgroups of an existing container (from its stored paths).
  static Result<ContainerCgroups> load(const std::vector<StoredCgroup>& stored);

  // Writes pid into cgroup.procs everywhere. On v1 the first write waits for an RCU grace
  // period (~12 ms): callers overlap it with the child's own setup.
  Status add_process(pid_t pid);
  // The fast way in, for a child that has no new user namespace: clone3(CLONE_INTO_CGROUP)
  // with clone_into_fd() (-1: none), then the single-threaded child writes "0" to every v1
  // `tasks` file itself (join_from_child), which the kernel does without the grace-period wait.
  // Both only use fds opened by create(), so the child may call it right after the clone.
  int clone_into_fd() const;
  int join_from_child() const noexcept;
  // update: new limits on the live cgroups.
  Status update(const oci::Resources& resources);
  // pause/resume through the freezer (v1) or cgroup.freeze (v2).
  Status set_frozen(bool frozen);
  bool is_frozen() const;
  // Kills whatever is left and removes the directories.
  Status destroy();
  Result<std::vector<pid_t>> pids() const;

  std::vector<StoredCgroup> stored() const;
  std::vector<CgroupMount> mounts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hako::runtime
