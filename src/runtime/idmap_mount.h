// Idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP, Linux 5.12): a bind mount through which
// files show, and are created, with ids shifted by a user namespace's maps.
//
// The parent (root on the host) makes them: open_tree(OPEN_TREE_CLONE) of the source, then
// MOUNT_ATTR_IDMAP with a user namespace fd (the container's own, or a throwaway one holding
// the mount's own uidMappings/gidMappings). The detached mount's fd goes to the container init
// over the SyncChannel, which attaches it with move_mount inside its rootfs: the init, root only
// in its own user namespace, could not idmap a host mount itself. The same serves an idmapped
// rootfs (annotation kIdmapRootfsAnnotation). Which mounts want it is a pure function of the
// spec (unit-tested). Stateless; thread safe.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::runtime {

// Annotation: "true" makes the rootfs an idmapped mount with the container's user namespace,
// so a rootfs owned by root on the host appears owned by the container's root.
inline constexpr const char* kIdmapRootfsAnnotation = "run.oci.hako.idmap-rootfs";

struct IdmapRequest {
  size_t mount_index = 0;       // into spec.mounts
  bool own_maps = false;        // the mount's uidMappings/gidMappings, else the container's
  bool recursive_tree = false;  // rbind: clone the submounts too
  bool recursive_attr = false;  // "ridmap": idmap the submounts as well
};

// The spec's idmapped mounts, in order: option "idmap"/"ridmap" or mount-level mappings.
std::vector<IdmapRequest> idmap_requests(const oci::Spec& spec);
// Whether the annotation asks for an idmapped rootfs (errors on a value other than true/false).
Result<bool> wants_idmapped_rootfs(const oci::Spec& spec);

// A user namespace holding these maps, as an fd (its short-lived owner process is gone).
Result<UniqueFd> user_namespace_with_maps(const std::vector<oci::IdMapping>& uids,
                                          const std::vector<oci::IdMapping>& gids);
// A detached clone of `source` idmapped through `userns_fd`.
Result<UniqueFd> idmapped_clone(const std::string& source, int userns_fd, bool recursive_tree,
                                bool recursive_attr);

}  // namespace hako::runtime
