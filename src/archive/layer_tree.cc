#include "archive/layer_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>

#include "archive/entry_path.h"
#include "archive/whiteout.h"
#include "sys/mount.h"

namespace hako::archive {

Result<UniqueFd> open_beneath_root(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* rel = path.empty() ? "." : path.c_str();
  long fd = ::syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
  if (fd < 0) return sys_error("open " + (path.empty() ? std::string(".") : path));
  return UniqueFd(static_cast<int>(fd));
}

Result<LayerTree> LayerTree::open(const std::string& dest_dir, const ExtractOptions& options) {
  int fd = ::open(dest_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open layer directory " + dest_dir);
  return LayerTree(UniqueFd(fd), options);
}

Result<int> LayerTree::parent_dir(std::string_view parent) {
  if (cached_fd_ && !cache_stale_ && parent == cached_parent_) return cached_fd_.get();
  std::string path(parent);
  auto fd = open_beneath_root(root_.get(), path, O_PATH | O_DIRECTORY);
  if (!fd && fd.error().sys_errno() == ENOENT) {
    // Parents implied but not listed. create_in_root walks one component at a time from fds
    // resolved inside the root, following dangling symlinks inside the root too.
    HAKO_TRY_CTX(sys::create_in_root(root_.get(), path, false, 0755), "create parent " + path);
    fd = open_beneath_root(root_.get(), path, O_PATH | O_DIRECTORY);
  }
  if (!fd) return std::move(fd).error().context("resolve parent");
  cached_parent_ = path;
  cached_fd_ = std::move(*fd);
  cache_stale_ = false;
  return cached_fd_.get();
}

void LayerTree::forget_dirs_under(const std::string& name) {
  // A removal can change what the cached path resolves to (a symlink in it may lead through
  // what was removed). The fd itself stays open: the caller is still using it.
  cache_stale_ = true;
  auto it = dirs_.lower_bound(name);
  while (it != dirs_.end() &&
         (it->first == name || (it->first.starts_with(name) && it->first[name.size()] == '/'))) {
    it = dirs_.erase(it);
  }
}

Status LayerTree::remove_tree(int dirfd, const std::string& base) {
  int fd = ::openat(dirfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + base + " to replace it");
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return sys_error("read " + base);
  }
  Status st;
  while (dirent* d = ::readdir(dir)) {
    std::string child = d->d_name;
    if (child == "." || child == "..") continue;
    struct stat sb;
    if (::fstatat(fd, child.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0) {
      st = sys_error("stat " + child);
      break;
    }
    if (S_ISDIR(sb.st_mode)) {
      st = remove_tree(fd, child);
      if (!st) break;
    } else if (::unlinkat(fd, child.c_str(), 0) != 0) {
      st = sys_error("remove " + child);
      break;
    }
  }
  ::closedir(dir);
  HAKO_TRY(st);
  if (::unlinkat(dirfd, base.c_str(), AT_REMOVEDIR) != 0) return sys_error("remove " + base);
  return ok();
}

Result<bool> LayerTree::clear_slot(int dirfd, const std::string& base, const std::string& name,
                                   bool keep_dir) {
  struct stat sb;
  if (::fstatat(dirfd, base.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return false;
    return sys_error("stat existing entry");
  }
  if (S_ISDIR(sb.st_mode) && keep_dir) return true;
  if (options_->keep_types && S_ISDIR(sb.st_mode))
    return failed_precondition("cannot overwrite directory \"/" + name + "\" with non-directory");
  if (options_->keep_types && keep_dir)
    return failed_precondition("cannot overwrite non-directory \"/" + name + "\" with directory");
  // Later entries win, as in Docker: a file replaces a directory (and everything in it,
  // symlinks included, none of which are followed), a directory replaces a file.
  if (S_ISDIR(sb.st_mode)) {
    HAKO_TRY_CTX(remove_tree(dirfd, base), "replace directory");
  } else if (::unlinkat(dirfd, base.c_str(), 0) != 0) {
    return sys_error("replace existing entry");
  }
  forget_dirs_under(name);
  return false;
}

Status LayerTree::create_or_replace(int dirfd, const std::string& base, const std::string& name,
                                    const std::function<int()>& make, std::string_view what) {
  // Try first and clear the slot only when the name is taken: duplicates are rare, and this
  // saves an fstatat per entry.
  if (make() == 0) return ok();
  if (errno != EEXIST) return sys_error(what);
  HAKO_TRY(clear_slot(dirfd, base, name, false));
  if (make() != 0) return sys_error(what);
  return ok();
}

Status LayerTree::make_dir(const std::string& name, const EntryMeta& meta) {
  struct stat sb;
  if (name.empty()) {
    if (::fstat(root_.get(), &sb) != 0) return sys_error("stat layer root");
    dirs_.insert_or_assign(name, DirRecord{sb.st_dev, sb.st_ino, meta});
    return ok();
  }
  auto [parent, base_view] = split_entry_name(name);
  std::string base(base_view);
  HAKO_TRY_ASSIGN(int dirfd, parent_dir(parent));
  // 0700 until finish(): whatever the tar says, we must be able to fill it.
  if (::mkdirat(dirfd, base.c_str(), 0700) != 0) {
    if (errno != EEXIST) return sys_error("create directory");
    HAKO_TRY_ASSIGN(bool kept, clear_slot(dirfd, base, name, true));
    if (!kept && ::mkdirat(dirfd, base.c_str(), 0700) != 0) return sys_error("create directory");
  }
  if (::fstatat(dirfd, base.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("stat directory");
  dirs_.insert_or_assign(name, DirRecord{sb.st_dev, sb.st_ino, meta});
  return ok();
}

Result<UniqueFd> LayerTree::create_file(const std::string& name) {
  auto [parent, base_view] = split_entry_name(name);
  std::string base(base_view);
  HAKO_TRY_ASSIGN(int dirfd, parent_dir(parent));
  HAKO_TRY(clear_slot(dirfd, base, name, false));
  // O_EXCL|O_NOFOLLOW: a fresh inode in the resolved parent, never an existing file or a
  // symlink's target (the write-through-symlink attack).
  int fd =
      ::openat(dirfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("create file");
  return UniqueFd(fd);
}

Status LayerTree::make_symlink(const std::string& name, const std::string& target,
                               const EntryMeta& meta) {
  auto [parent, base_view] = split_entry_name(name);
  std::string base(base_view);
  HAKO_TRY_ASSIGN(int dirfd, parent_dir(parent));
  // The target is stored as is: it is only dangerous when followed, and every later lookup
  // in this extraction resolves inside the root.
  HAKO_TRY(create_or_replace(
      dirfd, base, name, [&] { return ::symlinkat(target.c_str(), dirfd, base.c_str()); },
      "create symlink"));
  return apply_meta_at(dirfd, base, meta, *options_, true);
}

Status LayerTree::make_hardlink(const std::string& name, const std::string& target) {
  auto clean = clean_entry_name(target);
  if (!clean) return std::move(clean).error().context("hardlink target \"" + target + "\"");
  if (clean->empty() || *clean == name)
    return invalid_argument("hardlink target \"" + target + "\" is not a file");
  auto [tparent, tbase_view] = split_entry_name(*clean);
  std::string tbase(tbase_view);
  auto tdir = open_beneath_root(root_.get(), std::string(tparent), O_PATH | O_DIRECTORY);
  if (!tdir) return std::move(tdir).error().context("hardlink target \"" + target + "\"");
  struct stat sb;
  if (::fstatat(tdir->get(), tbase.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("hardlink target \"" + target + "\"");
  // Only regular files extracted earlier: a link to a symlink or a device would let a layer
  // alias something it did not create with the properties it chose.
  if (!S_ISREG(sb.st_mode))
    return invalid_argument("hardlink target \"" + target + "\" is not a regular file");
  auto [parent, base_view] = split_entry_name(name);
  std::string base(base_view);
  HAKO_TRY_ASSIGN(int dirfd, parent_dir(parent));
  // No AT_SYMLINK_FOLLOW: linkat links the name itself, which we just checked is a file.
  return create_or_replace(
      dirfd, base, name,
      [&] { return ::linkat(tdir->get(), tbase.c_str(), dirfd, base.c_str(), 0); },
      "create hardlink");
}

Status LayerTree::make_node(const std::string& name, mode_t type, dev_t dev,
                            const EntryMeta& meta) {
  auto [parent, base_view] = split_entry_name(name);
  std::string base(base_view);
  HAKO_TRY_ASSIGN(int dirfd, parent_dir(parent));
  HAKO_TRY(create_or_replace(
      dirfd, base, name, [&] { return ::mknodat(dirfd, base.c_str(), type | 0600, dev); },
      "mknod"));
  return apply_meta_at(dirfd, base, meta, *options_, false);
}

Status LayerTree::make_whiteout(const std::string& dir, std::string_view target) {
  std::string base(target);
  std::string name = dir.empty() ? base : dir + "/" + base;
  HAKO_TRY_ASSIGN(int dirfd, parent_dir(dir));
  // A 0/0 char device is overlayfs's whiteout; unprivileged users may make one since 5.8.
  return create_or_replace(
      dirfd, base, name, [&] { return ::mknodat(dirfd, base.c_str(), S_IFCHR | 0, makedev(0, 0)); },
      "create whiteout");
}

Status LayerTree::make_opaque(const std::string& dir) {
  HAKO_TRY(parent_dir(dir));  // creates it if the marker came first
  HAKO_TRY_ASSIGN(UniqueFd fd, open_beneath_root(root_.get(), dir, O_RDONLY | O_DIRECTORY));
  std::string attr = opaque_xattr_name(options_->userxattr);
  if (::fsetxattr(fd.get(), attr.c_str(), "y", 1, 0) != 0)
    return sys_error("set " + attr + " on " + (dir.empty() ? "." : dir));
  return ok();
}

Status LayerTree::finish() {
  cached_fd_.reset();
  // Reverse order: "a/b" sorts after "a", so children get their (possibly read-only) mode
  // and their times before their parent's times are fixed.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    const std::string& name = it->first;
    auto fd = open_beneath_root(root_.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (!fd) {
      // Replaced by a later entry, or by a symlink: its metadata no longer applies.
      int err = fd.error().sys_errno();
      if (err == ENOENT || err == ENOTDIR || err == ELOOP) continue;
      return std::move(fd).error().context("layer entry \"" + name + "\"");
    }
    struct stat sb;
    if (::fstat(fd->get(), &sb) != 0) return sys_error("stat " + name);
    if (sb.st_dev != it->second.dev || sb.st_ino != it->second.ino) continue;
    auto st = apply_meta_fd(fd->get(), it->second.meta, *options_);
    if (!st)
      return std::move(st).error().context("layer entry \"" + (name.empty() ? "." : name) +
                                           "\": apply directory metadata");
  }
  return ok();
}

}  // namespace hako::archive
