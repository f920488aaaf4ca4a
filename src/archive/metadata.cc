#include "archive/metadata.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <limits>
#include <string>

namespace hako::archive {
namespace {

Result<std::pair<uid_t, gid_t>> shifted_ids(const EntryMeta& meta, const ExtractOptions& options) {
  if (const auto& r = options.remap) {
    if (!options.preserve_owners)
      return std::pair<uid_t, gid_t>(r->uid_to_host(0), r->gid_to_host(0));
    return std::pair<uid_t, gid_t>(r->uid_to_host(meta.uid), r->gid_to_host(meta.gid));
  }
  constexpr uint64_t kMax = std::numeric_limits<uint32_t>::max() - 1;  // -1 means "unchanged"
  uint64_t uid = uint64_t{meta.uid} + options.id_shift;
  uint64_t gid = uint64_t{meta.gid} + options.id_shift;
  if (uid > kMax || gid > kMax)
    return invalid_argument("owner " + std::to_string(meta.uid) + ":" + std::to_string(meta.gid) +
                            " shifted by " + std::to_string(options.id_shift) + " overflows");
  return std::pair<uid_t, gid_t>(static_cast<uid_t>(uid), static_cast<gid_t>(gid));
}

}  // namespace

Status apply_meta_fd(int fd, const EntryMeta& meta, const ExtractOptions& options) {
  if (options.preserve_owners || options.remap) {
    HAKO_TRY_ASSIGN(auto ids, shifted_ids(meta, options));
    if (::fchown(fd, ids.first, ids.second) != 0) return sys_error("chown");
  }
  // After fchown, which cleared setuid/setgid: the layer's bits are part of the image.
  if (::fchmod(fd, meta.perm & 07777) != 0) return sys_error("chmod");
  for (const auto& [name, value] : meta.xattrs) {
    if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) != 0)
      return sys_error("set xattr " + name);
  }
  timespec times[2] = {meta.atime, meta.mtime};
  if (::futimens(fd, times) != 0) return sys_error("set times");
  return ok();
}

Status apply_meta_at(int dirfd, const std::string& base, const EntryMeta& meta,
                     const ExtractOptions& options, bool is_symlink) {
  if (options.preserve_owners || options.remap) {
    HAKO_TRY_ASSIGN(auto ids, shifted_ids(meta, options));
    if (::fchownat(dirfd, base.c_str(), ids.first, ids.second, AT_SYMLINK_NOFOLLOW) != 0)
      return sys_error("chown");
  }
  // fchmodat follows symlinks; the node was just made by mknodat in a directory only we
  // write to, so the name cannot have become a symlink in between.
  if (!is_symlink && ::fchmodat(dirfd, base.c_str(), meta.perm & 07777, 0) != 0)
    return sys_error("chmod");
  timespec times[2] = {meta.atime, meta.mtime};
  if (::utimensat(dirfd, base.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("set times");
  return ok();
}

}  // namespace hako::archive
