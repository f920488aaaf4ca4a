#include "sys/mount.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strings.h"
#include "sys/file.h"

namespace hako::sys {

Status mount_fs(const std::string& source, const std::string& target, const std::string& type,
                unsigned long flags, const std::string& data) {
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(),
              type.empty() ? nullptr : type.c_str(), flags,
              data.empty() ? nullptr : data.c_str()) != 0)
    return sys_error("mount " + (source.empty() ? type : source) + " on " + target);
  return ok();
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

namespace {

// The kernel queues "e overlayfs: ..." lines on the context fd for a failed fsconfig; they say
// which parameter was wrong, which errno alone does not.
std::string fs_log(int fs_fd) {
  std::string out;
  char buf[512];
  for (int i = 0; i < 8; ++i) {
    ssize_t n = ::read(fs_fd, buf, sizeof buf - 1);
    if (n <= 0) break;
    if (!out.empty()) out += "; ";
    out.append(buf, static_cast<size_t>(n));
    while (!out.empty() && out.back() == '\n') out.pop_back();
  }
  return out;
}

Error fs_error(int fs_fd, const std::string& what) {
  int err = errno;
  std::string log = fs_log(fs_fd);
  Error e = Error::from_errno(err, what);
  if (!log.empty()) return Error(e.code(), e.message() + " (" + log + ")", err);
  return e;
}

}  // namespace

Result<UniqueFd> fs_open(const std::string& fs_type) {
  int fd = ::fsopen(fs_type.c_str(), FSOPEN_CLOEXEC);
  if (fd < 0) return sys_error("fsopen " + fs_type);
  return UniqueFd(fd);
}

Status fs_config_string(int fs_fd, const std::string& key, const std::string& value) {
  if (::fsconfig(fs_fd, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) != 0)
    return fs_error(fs_fd, "fsconfig " + key + "=" + value);
  return ok();
}

Status fs_config_flag(int fs_fd, const std::string& key) {
  if (::fsconfig(fs_fd, FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0) != 0)
    return fs_error(fs_fd, "fsconfig " + key);
  return ok();
}

Status fs_config_create(int fs_fd) {
  if (::fsconfig(fs_fd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return fs_error(fs_fd, "fsconfig create");
  return ok();
}

Result<UniqueFd> fs_mount(int fs_fd, unsigned attrs) {
  int fd = ::fsmount(fs_fd, FSMOUNT_CLOEXEC, attrs);
  if (fd < 0) return fs_error(fs_fd, "fsmount");
  return UniqueFd(fd);
}

Result<UniqueFd> open_tree_clone(const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  int fd = ::open_tree(AT_FDCWD, path.c_str(), flags);
  if (fd < 0) return sys_error("open_tree " + path);
  return UniqueFd(fd);
}

Status mount_set_attr(int mnt_fd, uint64_t attr_set, bool recursive, int userns_fd) {
  mount_attr attr{};
  attr.attr_set = attr_set;
  if (userns_fd >= 0) attr.userns_fd = static_cast<uint64_t>(userns_fd);
  if (::mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                      sizeof attr) != 0)
    return sys_error("mount_setattr");
  return ok();
}

Status move_mount_to(int mnt_fd, const std::string& target) {
  if (::move_mount(mnt_fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return sys_error("move_mount to " + target);
  return ok();
}

Status move_mount_onto_fd(int mnt_fd, int target_fd) {
  if (::move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) !=
      0)
    return sys_error("move_mount onto " + fd_path(target_fd));
  return ok();
}

Status unmount(const std::string& target, int flags) {
  if (::umount2(target.c_str(), flags) != 0) return sys_error("unmount " + target);
  return ok();
}

Result<UniqueFd> open_in_root(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_PATH | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
  if (fd < 0) return sys_error("open " + path + " in container root");
  return UniqueFd(static_cast<int>(fd));
}

static Result<UniqueFd> create_in_root_depth(int root_fd, const std::string& path, bool want_file,
                                             mode_t mode, int depth) {
  if (depth > 40)
    return Error(ErrorCode::kInvalidArgument,
                 "create " + path + " in container root: too many symlinks", ELOOP);
  auto existing = open_in_root(root_fd, path);
  if (existing) return existing;
  if (existing.error().sys_errno() != ENOENT) return existing;
  // Walk down from the root, creating what is missing. Each mkdirat/openat names a single
  // component relative to an fd that was itself resolved inside the root, so a symlink
  // planted anywhere on the way cannot lead outside.
  HAKO_TRY_ASSIGN(UniqueFd dir, open_in_root(root_fd, "/", O_DIRECTORY));
  auto parts = split(path, '/');
  std::string walked;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& name = parts[i];
    if (name.empty() || name == ".") continue;
    std::string parent = walked;
    walked += "/" + name;
    bool last = (i + 1 == parts.size());
    auto next = open_in_root(root_fd, walked);
    if (!next) {
      if (next.error().sys_errno() != ENOENT) return next;
      if (name == "..")
        return invalid_argument("create " + path + " in container root: bad component ..");
      // A dangling symlink (image symlinks often point at paths that do not exist yet):
      // follow it ourselves, inside the root, by rewriting the path and starting over.
      char target[4096];
      ssize_t n = ::readlinkat(dir.get(), name.c_str(), target, sizeof target - 1);
      if (n > 0) {
        target[n] = 0;
        std::string rest;
        for (size_t j = i + 1; j < parts.size(); ++j) rest += "/" + parts[j];
        std::string rewritten =
            target[0] == '/' ? std::string(target) + rest : parent + "/" + target + rest;
        return create_in_root_depth(root_fd, rewritten, want_file, mode, depth + 1);
      }
      if (last && want_file) {
        int fd = ::openat(dir.get(), name.c_str(),
                          O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) return sys_error("create " + walked + " in container root");
        if (fd >= 0) ::close(fd);
      } else if (::mkdirat(dir.get(), name.c_str(), mode) != 0 && errno != EEXIST) {
        return sys_error("mkdir " + walked + " in container root");
      }
      next = open_in_root(root_fd, walked);
      if (!next) return std::move(next).error();
    }
    dir = std::move(*next);
  }
  return dir;
}

Result<UniqueFd> create_in_root(int root_fd, const std::string& path, bool want_file, mode_t mode) {
  return create_in_root_depth(root_fd, path, want_file, mode, 0);
}

bool is_mount_point(const std::string& path) {
  auto text = read_file("/proc/self/mountinfo", 16 << 20);
  if (!text) return false;
  for (const auto& line : split(*text, '\n')) {
    auto fields = split(line, ' ');
    if (fields.size() > 4 && fields[4] == path) return true;
  }
  return false;
}

}  // namespace hako::sys
