#include "shim/volume_use.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>

#include <cerrno>
#include <utility>

#include "sys/file.h"
#include "sys/mount.h"

namespace hako::shim {
namespace {

Result<UniqueFd> open_lock(const std::string& path) {
  return sys::open_path(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

Status lock(int fd, int op, const std::string& path) {
  for (;;) {
    if (::flock(fd, op) == 0) return ok();
    if (errno == EINTR) continue;
    return sys_error("flock " + path);
  }
}

// Unmounts every mount stacked on data (one, unless something mounted over ours).
Status unmount_all(const std::string& data) {
  for (int i = 0; i < 16 && sys::is_mount_point(data); ++i)
    if (::umount2(data.c_str(), MNT_DETACH) != 0 && errno != EINVAL)
      return sys_error("unmount " + data);
  return ok();
}

}  // namespace

VolumeUse& VolumeUse::operator=(VolumeUse&& other) noexcept {
  if (this != &other) {
    release();
    dir_ = std::move(other.dir_);
    lock_ = std::move(other.lock_);
  }
  return *this;
}

Result<VolumeUse> VolumeUse::hold(const std::string& dir) {
  VolumeUse use;
  use.dir_ = dir;
  std::string path = dir + "/mount.lock";
  HAKO_TRY_ASSIGN(use.lock_, open_lock(path));
  HAKO_TRY(lock(use.lock_.get(), LOCK_SH, path));
  return use;
}

Status VolumeUse::ensure_mounted(const std::function<Status(const std::string& data)>& mount) {
  std::string path = dir_ + "/mount.mutex";
  HAKO_TRY_ASSIGN(UniqueFd mutex, open_lock(path));
  HAKO_TRY(lock(mutex.get(), LOCK_EX, path));
  std::string data = dir_ + "/_data";
  if (sys::is_mount_point(data)) return ok();
  return mount(data);
}

void VolumeUse::release() {
  if (!lock_) return;
  lock_.reset();
  (void)unmount_unused_volume(dir_);
}

Status unmount_unused_volume(const std::string& dir) {
  std::string data = dir + "/_data";
  if (!sys::is_mount_point(data)) return ok();
  std::string path = dir + "/mount.lock";
  HAKO_TRY_ASSIGN(UniqueFd fd, open_lock(path));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return failed_precondition("volume " + dir + " is in use");
    return sys_error("flock " + path);
  }
  return unmount_all(data);
}

}  // namespace hako::shim
