// CgroupPath: where a container's cgroup goes, from the spec's linux.cgroupsPath (OCI/runc rules).
//
//   "/a/b"  absolute: /a/b under the root of every hierarchy;
//   "a/b"   relative: a/b under the caller's own cgroup in each hierarchy (as runc does);
//   ""      the default, /hako/<container-id>.
// ".." components are resolved lexically; one that would climb above the base is an error, and so
// is a path that resolves to the base itself (the container must not share the caller's cgroup).
// Pure functions over values; thread safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "cgroup/layout.h"

namespace hako::cgroup {

// The parent of default cgroups: /hako/<id>.
inline constexpr std::string_view kDefaultParent = "hako";

struct CgroupPath {
  std::string path;       // normalised components joined by '/', no leading or trailing '/'
  bool relative = false;  // below the caller's cgroup rather than the hierarchy's root
  // Trailing components that belong to hako even when they already existed: 2 for the default
  // /hako/<id>, so destroy() also removes an empty /hako. Otherwise 0.
  int owned_levels = 0;
};

Result<CgroupPath> parse_cgroup_path(std::string_view cgroups_path, std::string_view container_id);

// The cgroup's directory relative to h.mount_point ("hako/c1", "user.slice/a/b"): never empty.
Result<std::string> path_below_mount(const Hierarchy& h, const CgroupPath& p);

// True when `path` is `root` or below it ("/a/b" is within "/a" and "/", not within "/ab").
bool is_within(std::string_view path, std::string_view root);

}  // namespace hako::cgroup
