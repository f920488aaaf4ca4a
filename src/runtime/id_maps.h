// User-namespace id maps: how the parent writes a container's uid_map/gid_map, and the checks
// that depend on who runs us (root or an unprivileged user).
//
// Root writes /proc/PID/uid_map and gid_map directly, any number of ranges. An unprivileged
// caller may write only a map of its own id (one line, size 1), and for gid_map only after
// "deny" went into /proc/PID/setgroups (user_namespaces(7)); anything wider goes through the
// setuid helpers newuidmap/newgidmap (package uidmap), which check /etc/subuid and /etc/subgid.
// The plan is a pure function of the spec and our ids (unit-tested); write_id_maps does the I/O.
// Stateless; thread safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"

namespace hako::runtime {

// "CONTAINER HOST SIZE\n" per range: the text uid_map/gid_map take in one write.
std::string format_id_map(const std::vector<oci::IdMapping>& maps);
// newuidmap/newgidmap's arguments after the program name: PID, then each range's triple.
std::vector<std::string> id_map_helper_args(pid_t pid, const std::vector<oci::IdMapping>& maps);

enum class IdMapMethod { kDirect, kHelper };

struct IdMapPlan {
  IdMapMethod uid = IdMapMethod::kDirect;
  IdMapMethod gid = IdMapMethod::kDirect;
  bool deny_setgroups = false;  // written before a direct unprivileged gid_map write
};

// How maps for a container created by (euid, egid) are written.
IdMapPlan plan_id_maps(const oci::Linux& lx, uid_t euid, gid_t egid);

// Checks that need our identity, before anything is created: an unprivileged caller needs a
// new user namespace; a new one needs mappings unless we are unprivileged, in which case the
// caller's own uid and gid become the container's root (fills them in). Errors name the field.
Status complete_user_namespace(oci::Linux& lx, uid_t euid, gid_t egid);

// Writes the maps of the user namespace of `pid` as planned.
Status write_id_maps(pid_t pid, const oci::Linux& lx, const IdMapPlan& plan);

}  // namespace hako::runtime
