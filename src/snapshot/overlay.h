// Container root filesystems: overlay mounts of unpacked layers, held by a MountGuard.
//
// mount_overlay uses the new mount API: fsopen("overlay"), one fsconfig "lowerdir+" per layer
// (Linux 6.8; so no page-sized option string limits the number of layers or their paths, and
// no path needs ':' or ',' escaped), "upperdir"/"workdir" when given, FSCONFIG_CMD_CREATE,
// fsmount, move_mount onto the target. On kernels without "lowerdir+" it falls back to one
// "lowerdir" string, which then must fit in a page. Without an upper dir the mount is
// read-only; overlay wants two lowers then, so a single read-only lower is a read-only bind
// mount of that directory instead.
//
// MountGuard owns one mount point on the host: its destructor detaches it (MNT_DETACH: a
// process still inside keeps its view, the mount disappears once nobody uses it) unless
// release()d or unmount()ed. Move-only; one thread at a time. The functions are stateless.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace hako::snapshot {

class MountGuard {
 public:
  MountGuard() = default;
  explicit MountGuard(std::string target) : target_(std::move(target)) {}
  MountGuard(MountGuard&& other) noexcept : target_(std::move(other.target_)) {
    other.target_.clear();
  }
  MountGuard& operator=(MountGuard&& other) noexcept;
  MountGuard(const MountGuard&) = delete;
  MountGuard& operator=(const MountGuard&) = delete;
  ~MountGuard();

  const std::string& target() const { return target_; }
  bool active() const { return !target_.empty(); }
  // Gives the mount up: it stays mounted; returns its target.
  std::string release();
  // Detaches now and reports the error the destructor would swallow.
  Status unmount();

 private:
  std::string target_;
};

// lower_dirs_top_first: as LayerStore::lower_dirs returns them. upper and work go together
// (both or neither) and must be on the same filesystem, not inside a lower.
// throwaway_upper: the upper dir's content need not survive a crash (a --rm container), so
// the overlay is mounted volatile: no sync of the upper filesystem, which otherwise every
// unmount pays with a journal commit of the whole file system. A crash leaves such an upper
// unmountable; a later throwaway mount of it clears overlay's marker and goes on.
Result<MountGuard> mount_overlay(const std::vector<std::string>& lower_dirs_top_first,
                                 std::optional<std::string> upper, std::optional<std::string> work,
                                 const std::string& target, bool throwaway_upper = false);

struct RwDirs {
  std::string upper;
  std::string work;
};

// Creates <dir>/upper and <dir>/work (0755 and 0700) as needed: a container's writable layer.
Result<RwDirs> prepare_rw_dirs(const std::string& dir);

}  // namespace hako::snapshot
