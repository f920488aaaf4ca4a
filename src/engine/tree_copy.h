// Copying and measuring directory trees without following symlinks: the work behind a new
// volume's copy-up from the image (Docker's copyExistingContents) and prune's reclaimed space.
//
// Both walk with *at calls, one path component at a time, from directory fds the caller opened
// (inside a container rootfs with openat2 RESOLVE_IN_ROOT), and open every subdirectory with
// O_NOFOLLOW|O_DIRECTORY: a symlink in the tree is copied as a symlink, never entered, so
// nothing outside the source fd is read. Stateless; thread safe on distinct trees.
#pragma once

#include <cstdint>

#include "base/result.h"

namespace hako::engine {

// Copies the contents of src_dir into dst_dir (an empty directory), keeping file types
// (regular files, directories, symlinks, FIFOs, device nodes; sockets are skipped, as they
// mean nothing without their listener), owners, modes with setuid/setgid/sticky, timestamps,
// extended attributes where the destination takes them, and hard links as links. Owners are
// only changed when they differ, so an unprivileged copy of one's own files works.
Status copy_tree(int src_dir, int dst_dir);

// Owner, mode and times of directory `src` onto directory `dst` (the volume's _data takes
// those of the image's directory, as in Docker).
Status copy_dir_meta(int src, int dst);

// The bytes a tree holds, as Docker's du: the sizes of everything but directories, each hard
// linked inode once. Entries vanishing during the walk are not errors.
Result<uint64_t> tree_size(int dir);

// True if the directory has no entry besides "." and "..".
Result<bool> is_empty_dir(int dir);

}  // namespace hako::engine
