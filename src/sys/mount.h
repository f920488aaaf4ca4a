// Mount syscalls and the path resolution that makes them safe inside a container root.
//
// Paths inside a rootfs are untrusted: a symlink in an image may point anywhere. Every
// destination is opened with openat2(RESOLVE_IN_ROOT), so symlinks and ".." resolve as if the
// rootfs were "/", and the mount targets the opened fd through /proc/self/fd/N, so no path is
// looked up twice (runc's approach to CVE-2021-30465). Stateless wrappers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::sys {

Status mount_fs(const std::string& source, const std::string& target, const std::string& type,
                unsigned long flags, const std::string& data);

// Opens `path` (absolute or relative, treated as relative to root) inside root_fd with
// RESOLVE_IN_ROOT. `flags` as for open (O_PATH added).
Result<UniqueFd> open_in_root(int root_fd, const std::string& path, int flags = 0);

// Creates `path` inside root (mkdir -p, or for want_file an empty file as the last
// component), resolving every component inside root, and returns an O_PATH fd to it.
Result<UniqueFd> create_in_root(int root_fd, const std::string& path, bool want_file,
                                mode_t mode = 0755);

// "/proc/self/fd/N": the name by which mount(2) reaches an opened fd.
std::string fd_path(int fd);

// The new mount API (fsopen/fsconfig/fsmount/move_mount: Linux 5.2; open_tree and
// mount_setattr: 5.12). A filesystem context fd collects parameters one by one, so there is no
// page-sized option string to overflow, and a failed fsconfig's kernel message (read from the
// context fd) is appended to the error: "fsconfig overlay lowerdir+=/x: ...: overlayfs: failed
// to resolve '/x': -2".
Result<UniqueFd> fs_open(const std::string& fs_type);
Status fs_config_string(int fs_fd, const std::string& key, const std::string& value);
Status fs_config_flag(int fs_fd, const std::string& key);
Status fs_config_create(int fs_fd);
// A detached mount of the created superblock; attrs are MOUNT_ATTR_* (RDONLY, NODEV, ...).
Result<UniqueFd> fs_mount(int fs_fd, unsigned attrs);
// A detached copy of the mount at path (open_tree OPEN_TREE_CLONE), AT_RECURSIVE if asked.
Result<UniqueFd> open_tree_clone(const std::string& path, bool recursive);
// Sets MOUNT_ATTR_* on a mount fd (and everything below it if recursive). With
// MOUNT_ATTR_IDMAP, userns_fd names the user namespace whose maps the mount gets.
Status mount_set_attr(int mnt_fd, uint64_t attr_set, bool recursive, int userns_fd = -1);
// Attaches a detached mount fd at target.
Status move_mount_to(int mnt_fd, const std::string& target);
// Attaches a detached mount fd on the file target_fd names (e.g. an O_PATH fd from
// create_in_root): no path is looked up, and /proc/self/fd/N would not be followed.
Status move_mount_onto_fd(int mnt_fd, int target_fd);
// umount2(target, flags); flags as MNT_DETACH.
Status unmount(const std::string& target, int flags);

// Whether path is a mount point in this mount namespace (field 5 of /proc/self/mountinfo;
// the paths hako makes have no bytes mountinfo escapes).
bool is_mount_point(const std::string& path);

}  // namespace hako::sys
