// The mount plan: what the container's rootfs setup will do, computed purely from the spec so
// unit tests can check it without root. The executor (rootfs.cc) performs each step inside
// the new mount namespace.
//
// OCI mount options split into mount(2) flags, propagation flags (applied in a second call,
// as the kernel requires), flags that a bind mount only honours on a remount (ro, nosuid...),
// and the filesystem data string (everything unknown, e.g. "size=64m,mode=755").
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"

namespace hako::runtime {

struct MountStep {
  std::string source;
  std::string destination;
  std::string type;
  unsigned long flags = 0;        // for the initial mount(2)
  unsigned long propagation = 0;  // MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (+MS_REC)
  std::string data;
  bool bind = false;
  bool recursive = false;  // rbind
  bool remount = false;    // bind with flags that need MS_REMOUNT|MS_BIND
  unsigned long remount_flags = 0;
  bool cgroup = false;  // type "cgroup"/"cgroup2": expanded per hierarchy at run time
  // An idmapped bind ("idmap"/"ridmap" or mount-level mappings): the parent makes the mount
  // (idmap_mount.h) and the init attaches it instead of binding the source.
  bool idmap = false;
};

struct ParsedOptions {
  unsigned long flags = 0;
  unsigned long clear_flags = 0;
  unsigned long propagation = 0;
  std::string data;
  bool bind = false;
  bool recursive = false;
  bool idmap = false;  // "idmap" or "ridmap"
};

ParsedOptions parse_mount_options(const std::vector<std::string>& options);
// Every option parse_mount_options() treats as a flag or propagation (not as filesystem
// data), sorted: `features`' mountOptions.
std::vector<std::string> known_mount_options();

// Relative bind sources are relative to `bundle` (runtime spec, "mounts").
Result<std::vector<MountStep>> plan_mounts(const oci::Spec& spec, const std::string& bundle = "");

// rootfsPropagation → flags for mount("", "/", ...). Empty means rslave, as runc does.
unsigned long rootfs_propagation_flags(const std::string& propagation);

}  // namespace hako::runtime
