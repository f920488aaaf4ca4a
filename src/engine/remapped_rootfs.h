// The rootfs of a remapped container without a chowned copy of any layer (Docker's
// userns-remap chowns a full copy of every layer per remapped root: slow, and twice the disk).
//
// Each lower dir is cloned (open_tree OPEN_TREE_CLONE) and idmapped (mount_setattr
// MOUNT_ATTR_IDMAP) through a throwaway user namespace holding the container's maps, so a file
// owned by 0 in the layer is seen as the container root's host id; the clones are attached in a
// scratch directory only long enough to be named as the overlay's lower dirs (overlayfs takes
// idmapped layers since Linux 5.19, and keeps private clones of its layers), then detached:
// once mounted, the overlay is the only mount left, torn down as any container's rootfs. The
// upper and work dirs belong to the container's root (the engine chowns them at create).
// Stateless; thread safe.
#pragma once

#include <string>
#include <vector>

#include "archive/id_remap.h"
#include "base/result.h"
#include "snapshot/overlay.h"

namespace hako::engine {

// scratch_parent: a directory on the host (the container's) for the short-lived attachments.
Result<snapshot::MountGuard> mount_remapped_overlay(
    const std::vector<std::string>& lowers, const archive::IdRemap& remap, const std::string& upper,
    const std::string& work, const std::string& target, const std::string& scratch_parent,
    bool throwaway_upper);

// What a hako killed between attaching and detaching left in scratch_parent: the idmapped
// layers are detached and their directories removed (before the container dir is deleted).
void remove_idmap_scratch(const std::string& scratch_parent);

}  // namespace hako::engine
