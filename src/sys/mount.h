// Mount syscalls and the path resolution that makes them safe inside a container root.
//
// Paths inside a rootfs are untrusted: a symlink in an image may point anywhere. Every
// destination is opened with openat2(RESOLVE_IN_ROOT), so symlinks and ".." resolve as if the
// rootfs were "/", and the mount targets the opened fd through /proc/self/fd/N, so no path is
// looked up twice (runc's approach to CVE-2021-30465). Stateless wrappers.
#pragma once

#include <sys/types.h>

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

}  // namespace hako::sys
