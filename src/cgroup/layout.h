// Layout: which cgroup hierarchies this host has mounted, and where the caller sits in each.
//
// Built from two texts, /proc/self/mountinfo and /proc/self/cgroup, each read once per container
// start. A Hierarchy is one mounted cgroup tree: a cgroup v1 hierarchy (one or more controllers
// such as "cpu,cpuacct", or a named one such as "name=systemd") or the cgroup2 tree. The three
// layouts hako runs on are pure v1, hybrid (v1 controllers plus a cgroup2 mount holding the rest,
// e.g. only hugetlb) and pure v2. Tests build a Layout by hand (or parse fixture texts whose
// mount points name a temp dir): nothing below assumes /sys/fs/cgroup.
// Values only; thread safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hako::cgroup {

enum class Mode {
  kV1,      // no cgroup2 mount
  kHybrid,  // v1 controllers plus a cgroup2 mount (which holds the controllers v1 does not)
  kV2,      // cgroup2 only (v1 named hierarchies such as name=systemd may still be mounted)
};

struct Hierarchy {
  bool is_v2 = false;
  // v1: the hierarchy's entries as /proc/self/cgroup lists them ("cpu", "cpuacct", "name=systemd").
  // v2: empty; which controllers it offers is read from cgroup.controllers when needed.
  std::vector<std::string> controllers;
  std::string mount_point;  // absolute path where this hierarchy is mounted
  std::string mount_root;   // the cgroup (within the hierarchy) mounted there; "/" unless nested
  std::string own_path;     // the caller's cgroup in this hierarchy, as /proc/self/cgroup says

  bool has(std::string_view controller) const;
  // "cpu,cpuacct", "name=systemd"; "" for cgroup2 (runc's state uses the same keys).
  std::string key() const;
};

struct Layout {
  Mode mode = Mode::kV1;
  std::vector<Hierarchy> hierarchies;

  // The v1 hierarchy holding `controller`, or nullptr.
  const Hierarchy* find_v1(std::string_view controller) const;
  // The cgroup2 hierarchy, or nullptr.
  const Hierarchy* find_v2() const;
};

// Pure: parses the text of /proc/self/mountinfo and /proc/self/cgroup. When a hierarchy is mounted
// more than once, the mount whose root is "/" wins, then one whose root contains the caller.
Result<Layout> parse_layout(std::string_view mountinfo, std::string_view proc_self_cgroup);

// Reads /proc/self/mountinfo and /proc/self/cgroup once each and parses them.
Result<Layout> discover_layout();

std::string_view mode_name(Mode mode);

}  // namespace hako::cgroup
