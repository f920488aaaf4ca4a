#include "sys/mount.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/strings.h"

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

}  // namespace hako::sys
