// File and directory syscall wrappers returning Result. Every fd is opened O_CLOEXEC.
// Errors name the operation and the path ("open /x: no such file or directory").
// Stateless; thread safe.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::sys {

Result<UniqueFd> open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);
inline Result<UniqueFd> open_path(const std::string& path, int flags, mode_t mode = 0) {
  return open_at(AT_FDCWD, path, flags, mode);
}

// Reads a whole file (or everything left on an fd). `limit` bounds untrusted input.
Result<std::string> read_file(const std::string& path, size_t limit = 64 << 20);
Result<std::string> read_fd(int fd, size_t limit = 64 << 20);
Result<std::string> read_file_at(int dirfd, const std::string& path, size_t limit = 64 << 20);

// Writes all of data, retrying short writes and EINTR.
Status write_all(int fd, std::string_view data, std::string_view what);
// open(path, O_WRONLY|O_TRUNC) + write: for /proc and cgroup files, which want one write.
Status write_file(const std::string& path, std::string_view data);
Status write_file_at(int dirfd, const std::string& path, std::string_view data);

// Writes through path.tmp, fsync, rename: readers see the old or the new file, never half.
Status write_file_atomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// The same without the fsync: whole for readers and against a killed writer, but not durable
// across a power loss. For runtime state on a tmpfs (gone at reboot anyway) and for files that
// are regenerated from durable ones; an fsync costs milliseconds on a container's start path.
Status write_file_replace(const std::string& path, std::string_view data, mode_t mode = 0644);

// mkdir -p; existing directories are fine.
Status make_dirs(const std::string& path, mode_t mode = 0755);
// rm -rf without following symlinks or crossing into mounts' contents it cannot remove.
Status remove_all(const std::string& path);

bool exists(const std::string& path);

// The names in a directory, without . and .., in readdir's order.
Result<std::vector<std::string>> list_dir(const std::string& path);

}  // namespace hako::sys
