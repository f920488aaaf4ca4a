// Manager: one container's cgroup, in every mounted hierarchy.
//
// One class serves the three layouts: it owns a set of v1 directories (one per v1 hierarchy,
// named ones such as name=systemd included) plus, when cgroup2 is mounted, one cgroup2 directory.
// Pure v1 has no cgroup2 directory, pure v2 has nothing else, hybrid has both. Each resource goes
// to the v1 hierarchy holding its controller, or else to the cgroup2 directory with v2 semantics
// (on this kind of host: hugetlb and `unified` keys go to cgroup2, everything else to v1). There is
// one implementation, so no interface.
//
// Lifecycle, as the runtime uses it:
//   create()       mkdir in every hierarchy, then write every limit, before any process joins:
//                  the container is limited from its first instruction. Transactional: on error
//                  the directories it made are removed again.
//   add_process()  only the cgroup.procs writes, through dir fds opened by create(); the first
//                  write blocks ~8 ms in the kernel (an RCU grace period), so the runtime calls
//                  it while the container's init does its mount work. Without a user namespace,
//                  clone_into_fd() + join_from_child() do the same with no wait at all.
//   paths()        stored in the runtime's state; load() reopens them in a later process
//                  (delete, kill --all, ps, exec).
//   destroy()      explicit, because the cgroup outlives every process: kills what is left, then
//                  removes the directories. Idempotent: a cgroup already gone is success.
// Owns its directory fds (UniqueFd, closed with the Manager); the cgroups themselves stay until
// destroy(). Not thread safe for destroy() and moves; the const operations only issue syscalls on
// the fds it owns and may run concurrently with each other.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "cgroup/device_rules.h"
#include "cgroup/layout.h"
#include "cgroup/path.h"
#include "oci/spec.h"

namespace hako::cgroup {

// One hierarchy's directory of the container, as the runtime persists it.
struct CgroupDir {
  std::string hierarchy;   // "cpu,cpuacct", "memory", "name=systemd"; "" for cgroup2 (runc's keys)
  std::string path;        // absolute host path of the container's cgroup in that hierarchy
  int created_levels = 0;  // trailing components of `path` that belong to hako, at least 2 for
                           // the default /hako/<id> (recorded; destroy removes the leaf alone)
  bool operator==(const CgroupDir&) const = default;
};

struct CreateOptions {
  // Leave device access alone (rootless, or a user namespace where the kernel refuses it).
  bool skip_devices = false;
};

class Manager {
 public:
  // resources.devices is applied as given (deny-all first); see with_default_device_rules().
  static Result<Manager> create(const Layout& layout, const CgroupPath& path,
                                const oci::Resources& resources, const CreateOptions& options = {});
  // Reopens a container's cgroup from stored paths. Directories that no longer exist are kept
  // without an fd: destroy() treats them as removed, pids() as empty.
  static Result<Manager> load(std::vector<CgroupDir> dirs);

  Manager(Manager&&) = default;
  Manager& operator=(Manager&&) = default;

  // Moves `pid` (a whole process) into the cgroup in every hierarchy: openat + write each.
  // Works for every container (user namespaces included). Cost: the kernel's first write of a pid
  // into cgroup.procs waits for an RCU grace period (~7-30 ms measured here, once per call), so
  // call it while the child does other work.
  Status add_process(pid_t pid) const;

  // The fast path for a child that is not in a new user namespace: the parent clones it straight
  // into the cgroup2 directory (clone3 CLONE_INTO_CGROUP with clone_into_fd(), when cgroup2 is
  // mounted), and the child, still single-threaded, calls join_from_child(), which writes "0" to
  // every v1 hierarchy's `tasks` file. A thread moving itself that way skips the global
  // threadgroup lock, and so the grace period (kernel/cgroup/cgroup.c, cgroup_procs_write_start):
  // ~0.2 ms for the nine v1 hierarchies here. add_process() is then not needed.
  // join_from_child() allocates nothing and only uses fds opened by create()/load(), so it is safe
  // between fork/clone and exec; it returns 0 or an errno for the child to report.
  int clone_into_fd() const;  // the cgroup2 directory fd, or -1 when cgroup2 is not mounted
  int join_from_child() const noexcept;

  // Every process in the cgroup or its sub-cgroups (the container may create some), sorted.
  Result<std::vector<pid_t>> pids() const;

  // Changes limits of a live cgroup (`update`): the resources given are written, the others left
  // as they are. Device rules are not updatable (as runc). Not transactional: the caller keeps
  // the previous values if it wants to restore them on failure.
  Status update(const oci::Resources& resources) const;

  // Freezes (pause) or thaws (resume) every process: v1 freezer.state, else cgroup2's
  // cgroup.freeze. Waits until the kernel reports the new state, at most `timeout`.
  Status set_frozen(bool frozen, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Whether the cgroup is frozen now (false when there is no freezer at all).
  Result<bool> is_frozen() const;

  // Kills every remaining process (cgroup.kill where cgroup2 has it, and SIGKILL through pidfds),
  // removes the container's cgroup in every hierarchy (its sub-cgroups first); parents stay, as
  // with runc. Gives up with kUnavailable after `timeout`.
  Status destroy(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  const std::vector<CgroupDir>& paths() const { return dirs_; }

 private:
  Manager() = default;
  // Removes dir.path (sub-cgroups first), then up to levels - 1 empty parents.
  static Status remove_dir(const CgroupDir& dir, int levels,
                           std::chrono::steady_clock::time_point deadline);
  // Writes every limit, each to the v1 hierarchy holding its controller or else to cgroup2.
  Status apply(const oci::Resources& resources, const std::vector<DeviceRule>& rules,
               const CreateOptions& options) const;
  Status kill_all(std::chrono::steady_clock::time_point deadline) const;
  // The directory holding the freezer: a v1 "freezer" hierarchy, else the cgroup2 one.
  // Sets *v2 accordingly; -1 if neither is there.
  int freezer_index(bool* v2) const;

  std::vector<CgroupDir> dirs_;
  std::vector<UniqueFd> fds_;  // parallel to dirs_; invalid when the directory is gone
};

}  // namespace hako::cgroup
