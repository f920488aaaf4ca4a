#include "engine/tree_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "sys/mount.h"

namespace hako::engine {
namespace {

// Deeper trees than this are refused rather than walked: each level holds two fds.
constexpr int kMaxDepth = 512;

Result<UniqueFd> open_dir_at(int dir, const std::string& name, std::string_view what) {
  int fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return sys_error(std::string(what) + " " + name);
  return UniqueFd(fd);
}

// The names in a directory, read through a duplicate so the caller's fd keeps its offset.
Result<std::vector<std::string>> list_names(int dir) {
  HAKO_TRY_ASSIGN(UniqueFd dup, open_dir_at(dir, ".", "open directory"));
  DIR* d = ::fdopendir(dup.get());
  if (!d) return sys_error("read directory");
  (void)dup.release();  // owned by d now
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Error::from_errno(err, "read directory");
  return names;
}

Status chown_if_needed(int fd, const struct stat& want) {
  struct stat cur {};
  if (::fstat(fd, &cur) != 0) return sys_error("stat copy");
  if (cur.st_uid == want.st_uid && cur.st_gid == want.st_gid) return ok();
  if (::fchown(fd, want.st_uid, want.st_gid) != 0) return sys_error("chown copy");
  return ok();
}

// Extended attributes of src onto dst. A destination that takes none (ENOTSUP) or refuses a
// namespace to an unprivileged caller (EPERM on trusted.* and security.*) keeps the copy
// going: the data matters more than the attribute.
Status copy_xattrs(int src, int dst) {
  ssize_t len = ::flistxattr(src, nullptr, 0);
  if (len < 0) return errno == ENOTSUP ? ok() : sys_error("list xattrs");
  if (len == 0) return ok();
  std::string names(static_cast<size_t>(len), '\0');
  len = ::flistxattr(src, names.data(), names.size());
  if (len < 0) return sys_error("list xattrs");
  names.resize(static_cast<size_t>(len));
  for (size_t pos = 0; pos < names.size();) {
    std::string name = names.c_str() + pos;
    pos += name.size() + 1;
    ssize_t vlen = ::fgetxattr(src, name.c_str(), nullptr, 0);
    if (vlen < 0) continue;  // removed meanwhile
    std::string value(static_cast<size_t>(vlen), '\0');
    vlen = ::fgetxattr(src, name.c_str(), value.data(), value.size());
    if (vlen < 0) continue;
    value.resize(static_cast<size_t>(vlen));
    if (::fsetxattr(dst, name.c_str(), value.data(), value.size(), 0) != 0 && errno != ENOTSUP &&
        errno != EPERM)
      return sys_error("set xattr " + name);
  }
  return ok();
}

// chown first (it clears setuid/setgid and security.capability), then the mode, then xattrs,
// then times (each earlier step moves ctime; contents would move mtime).
Status apply_meta(int src, int dst, const struct stat& st) {
  HAKO_TRY(chown_if_needed(dst, st));
  if (::fchmod(dst, st.st_mode & 07777) != 0) return sys_error("chmod copy");
  HAKO_TRY(copy_xattrs(src, dst));
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(dst, times) != 0) return sys_error("set times of copy");
  return ok();
}

Status copy_data(int src, int dst) {
  // A reflink where the filesystem has them (btrfs, xfs): no data moves.
  if (::ioctl(dst, FICLONE, src) == 0) return ok();
  bool use_range = true;
  std::vector<char> buf;
  for (;;) {
    ssize_t n;
    if (use_range) {
      n = ::copy_file_range(src, nullptr, dst, nullptr, 1 << 30, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        use_range = false;
        continue;
      }
    } else {
      if (buf.empty()) buf.resize(1 << 17);
      n = ::read(src, buf.data(), buf.size());
      if (n > 0) {
        for (ssize_t off = 0; off < n;) {
          ssize_t w = ::write(dst, buf.data() + off, static_cast<size_t>(n - off));
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) return sys_error("write copy");
          off += w;
        }
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("copy data");
    if (n == 0) return ok();
  }
}

Result<std::string> read_link_at(int dir, const std::string& name, size_t hint) {
  std::string target(hint + 1, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
    if (n < 0) return sys_error("readlink " + name);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

// Owner, mode and times of a node named by (dir, name) that is not opened: symlinks (no mode)
// and device nodes or FIFOs (opening one could block or reach a device).
Status apply_meta_at(int dir, const std::string& name, const struct stat& st, bool symlink) {
  struct stat cur {};
  if (::fstatat(dir, name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) != 0) return sys_error("stat copy");
  if ((cur.st_uid != st.st_uid || cur.st_gid != st.st_gid) &&
      ::fchownat(dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("chown copy " + name);
  if (!symlink && ::fchmodat(dir, name.c_str(), st.st_mode & 07777, 0) != 0)
    return sys_error("chmod copy " + name);
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("set times of copy " + name);
  return ok();
}

class Copier {
 public:
  explicit Copier(int dst_root) : dst_root_(dst_root) {}

  // rel: dst's path below dst_root ("" for the root itself), to re-find hard link targets.
  Status copy_dir(int src, int dst, const std::string& rel, int depth) {
    if (depth > kMaxDepth) return invalid_argument("copy " + rel + ": directory tree too deep");
    HAKO_TRY_ASSIGN(auto names, list_names(src));
    for (const auto& name : names) {
      auto s = copy_entry(src, dst, name, rel.empty() ? name : rel + "/" + name, depth);
      if (!s) return std::move(s).error().context(rel.empty() ? name : rel + "/" + name);
    }
    return ok();
  }

 private:
  Status copy_entry(int src, int dst, const std::string& name, const std::string& rel, int depth) {
    struct stat st {};
    if (::fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return ok();  // removed under us
      return sys_error("stat");
    }
    switch (st.st_mode & S_IFMT) {
      case S_IFDIR: {
        HAKO_TRY_ASSIGN(UniqueFd s, open_dir_at(src, name, "open"));
        if (::fstat(s.get(), &st) != 0) return sys_error("stat");
        if (::mkdirat(dst, name.c_str(), 0700) != 0) return sys_error("mkdir");
        HAKO_TRY_ASSIGN(UniqueFd d, open_dir_at(dst, name, "open copy"));
        HAKO_TRY(copy_dir(s.get(), d.get(), rel, depth + 1));
        return apply_meta(s.get(), d.get(), st);  // after the contents: they move mtime
      }
      case S_IFREG:
        return copy_file(src, dst, name, rel, st);
      case S_IFLNK: {
        HAKO_TRY_ASSIGN(std::string target,
                        read_link_at(src, name, static_cast<size_t>(st.st_size)));
        if (::symlinkat(target.c_str(), dst, name.c_str()) != 0) return sys_error("symlink");
        return apply_meta_at(dst, name, st, true);
      }
      case S_IFIFO:
      case S_IFCHR:
      case S_IFBLK:
        if (::mknodat(dst, name.c_str(), st.st_mode & (S_IFMT | 07777), st.st_rdev) != 0)
          return sys_error("mknod");
        return apply_meta_at(dst, name, st, false);
      default:
        return ok();  // sockets
    }
  }

  Status copy_file(int src, int dst, const std::string& name, const std::string& rel,
                   const struct stat& seen) {
    auto key = std::make_pair(seen.st_dev, seen.st_ino);
    if (seen.st_nlink > 1) {
      if (auto it = links_.find(key); it != links_.end()) return link_to(it->second, dst, name);
    }
    // O_NOFOLLOW and the fstat below: the entry stat'ed as a file is the one opened.
    int sfd = ::openat(src, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (sfd < 0) return sys_error("open");
    UniqueFd s(sfd);
    struct stat st {};
    if (::fstat(s.get(), &st) != 0) return sys_error("stat");
    if (!S_ISREG(st.st_mode)) return failed_precondition("changed while being copied");
    int dfd =
        ::openat(dst, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (dfd < 0) return sys_error("create copy");
    UniqueFd d(dfd);
    HAKO_TRY(copy_data(s.get(), d.get()));
    HAKO_TRY(apply_meta(s.get(), d.get(), st));
    if (st.st_nlink > 1) links_.emplace(key, rel);
    return ok();
  }

  Status link_to(const std::string& first, int dst, const std::string& name) {
    auto slash = first.rfind('/');
    std::string parent = slash == std::string::npos ? "." : first.substr(0, slash);
    std::string base = slash == std::string::npos ? first : first.substr(slash + 1);
    // The parent is a directory this copy made; resolving it inside dst_root keeps even a
    // surprise symlink from pointing the link elsewhere.
    HAKO_TRY_ASSIGN(UniqueFd p, sys::open_in_root(dst_root_, parent, O_DIRECTORY));
    if (::linkat(p.get(), base.c_str(), dst, name.c_str(), 0) != 0)
      return sys_error("link to " + first);
    return ok();
  }

  int dst_root_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

Status add_size(int dir, std::set<std::pair<dev_t, ino_t>>& seen, uint64_t& total, int depth) {
  if (depth > kMaxDepth) return invalid_argument("measure: directory tree too deep");
  auto names = list_names(dir);
  if (!names) return names.error().sys_errno() == ENOENT ? ok() : std::move(names).error();
  for (const auto& name : *names) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return sys_error("stat " + name);
    }
    if (S_ISDIR(st.st_mode)) {
      auto sub = open_dir_at(dir, name, "open");
      if (!sub) {
        if (sub.error().sys_errno() == ENOENT) continue;
        return std::move(sub).error();
      }
      HAKO_TRY(add_size(sub->get(), seen, total, depth + 1));
      continue;
    }
    if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
    total += static_cast<uint64_t>(st.st_size);
  }
  return ok();
}

}  // namespace

Status copy_tree(int src_dir, int dst_dir) {
  Copier c(dst_dir);
  return c.copy_dir(src_dir, dst_dir, "", 0);
}

Status copy_dir_meta(int src, int dst) {
  struct stat st {};
  if (::fstat(src, &st) != 0) return sys_error("stat source directory");
  HAKO_TRY(chown_if_needed(dst, st));
  if (::fchmod(dst, st.st_mode & 07777) != 0) return sys_error("chmod copy");
  const timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(dst, times) != 0) return sys_error("set times of copy");
  return ok();
}

Result<uint64_t> tree_size(int dir) {
  std::set<std::pair<dev_t, ino_t>> seen;
  uint64_t total = 0;
  HAKO_TRY(add_size(dir, seen, total, 0));
  return total;
}

Result<bool> is_empty_dir(int dir) {
  HAKO_TRY_ASSIGN(auto names, list_names(dir));
  return names.empty();
}

}  // namespace hako::engine
