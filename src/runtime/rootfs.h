// Building the container's root filesystem inside its new mount namespace: the mount plan's
// executor, /dev, pivot_root, masked and readonly paths. Runs only in the single-threaded
// container init; mounts made here die with the mount namespace, so nothing needs a guard.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"
#include "runtime/mount_plan.h"

namespace hako::runtime {

// One hierarchy to show under a "cgroup" mount: with a cgroup namespace a fresh cgroupfs
// (type + options), without one a bind mount of the container's host dir.
struct CgroupMount {
  std::string name;     // directory under the mount point ("memory", "unified", ...)
  std::string type;     // "cgroup" or "cgroup2"
  std::string options;  // v1 controllers ("memory", "name=systemd")
  std::string host_path;
};

struct RootfsContext {
  std::string rootfs;  // absolute host path of the bundle's rootfs
  const oci::Spec* spec = nullptr;
  std::vector<MountStep> mounts;
  std::vector<CgroupMount> cgroup_mounts;
  bool in_user_ns = false;  // devices are bind-mounted from the host: mknod is not allowed
  bool new_cgroup_ns = false;
  // Called before the first cgroup mount (and at the latest after all mounts): waits for the
  // parent to finish moving us into our cgroups, then unshares the cgroup namespace.
  std::function<Status()> before_cgroup;
  // Detached idmapped mounts made by the parent (idmap_mount.h): per mounts[] index (invalid
  // where the step is not idmapped), and the rootfs's own when it is idmapped.
  std::vector<UniqueFd> idmap_fds;
  UniqueFd idmapped_root;
};

// Makes / a slave (or as rootfsPropagation says), binds the rootfs onto itself and performs
// every mount and device node. Returns an O_PATH fd of the rootfs.
Status prepare_rootfs(RootfsContext& ctx);

// pivot_root into the rootfs (or MS_MOVE + chroot with no_pivot) and detach the old root.
Status enter_rootfs(const RootfsContext& ctx, bool no_pivot);

// The container's /dev/null (after pivot_root), reached without symlinks and checked to be the
// null device: what masked files are hidden under.
Result<UniqueFd> open_verified_dev_null();

// After pivot: rootfsPropagation, masked paths (files hidden under `dev_null`, an O_PATH fd),
// readonly paths, root.readonly.
Status finish_rootfs(const oci::Spec& spec, int dev_null);

}  // namespace hako::runtime
