// Ownership, mode, xattrs and times of one layer entry, and applying them in the right order.
//
// Order matters: chown clears setuid/setgid and security.capability, so owners go first, then
// the mode (fchmod keeps the setuid/setgid/sticky bits the image asked for), then xattrs, then
// times (every earlier step moves ctime, and writing contents would move mtime). Values;
// applying them is thread safe on distinct fds.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <string>
#include <utility>
#include <vector>

#include "archive/extract.h"
#include "base/result.h"

namespace hako::archive {

struct EntryMeta {
  uint32_t uid = 0;
  uint32_t gid = 0;
  mode_t perm = 0644;  // permission bits incl. setuid/setgid/sticky (07777)
  timespec mtime{};
  timespec atime{};  // = mtime when the tar has none, as Docker does
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// A regular file or directory opened for real (not O_PATH).
Status apply_meta_fd(int fd, const EntryMeta& meta, const ExtractOptions& options);

// A symlink or device node, named by its parent dir and last component; never followed.
// Nodes get their mode too (a symlink has none); xattrs are not applied to either.
Status apply_meta_at(int dirfd, const std::string& base, const EntryMeta& meta,
                     const ExtractOptions& options, bool is_symlink);

}  // namespace hako::archive
