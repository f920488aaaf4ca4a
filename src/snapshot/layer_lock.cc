#include "snapshot/layer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace hako::snapshot {

Result<UniqueFd> LayerLock::lock(int dir_fd, const std::string& name, bool wait) {
  while (true) {
    int fd = ::openat(dir_fd, name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return sys_error("open layers/" + name);
    UniqueFd owned(fd);
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      if (errno == EWOULDBLOCK) return UniqueFd();
      return sys_error("flock layers/" + name);
    }
    // The previous holder may have unlinked the file while we waited on it (or replaced it):
    // only the inode still at the path counts.
    struct stat held {
    }, at_path{};
    if (::fstat(fd, &held) != 0) return sys_error("stat layers/" + name);
    if (held.st_nlink == 0) continue;
    if (::fstatat(dir_fd, name.c_str(), &at_path, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return sys_error("stat layers/" + name);
    }
    if (held.st_ino != at_path.st_ino || held.st_dev != at_path.st_dev) continue;
    return owned;
  }
}

Result<LayerLock> LayerLock::acquire(int dir_fd, const std::string& name) {
  HAKO_TRY_ASSIGN(UniqueFd fd, lock(dir_fd, name, true));
  return LayerLock(dir_fd, name, std::move(fd));
}

Result<std::optional<LayerLock>> LayerLock::try_acquire(int dir_fd, const std::string& name) {
  HAKO_TRY_ASSIGN(UniqueFd fd, lock(dir_fd, name, false));
  if (!fd) return std::optional<LayerLock>();
  return std::optional<LayerLock>(LayerLock(dir_fd, name, std::move(fd)));
}

LayerLock::~LayerLock() {
  if (!fd_) return;
  // Unlink before the close drops the lock, so nobody can lock this inode and keep using it.
  ::unlinkat(dir_fd_, name_.c_str(), 0);
}

}  // namespace hako::snapshot
