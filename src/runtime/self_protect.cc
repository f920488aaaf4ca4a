#include "runtime/self_protect.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "base/unique_fd.h"

namespace hako::runtime {

namespace {

constexpr int kRequiredSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

// Already protected: running from a read-only overlay (no upper layer: no write can reach
// the host file, not even through a new bind mount of it) or from a sealed memfd.
bool is_protected(int self_fd) {
  int seals = ::fcntl(self_fd, F_GET_SEALS);
  if (seals >= 0 && (seals & kRequiredSeals) == kRequiredSeals) return true;
  struct statfs sf;
  return ::fstatfs(self_fd, &sf) == 0 && sf.f_type == OVERLAYFS_SUPER_MAGIC &&
         (sf.f_flags & ST_RDONLY);
}

// The cheap way (runc 1.2 does the same): a private, detached, read-only overlay whose only
// layers are the binary's own directory. Nothing is copied; exec maps the same page cache.
UniqueFd open_through_overlay(const std::string& exe, const std::string& empty_dir) {
  auto slash = exe.find_last_of('/');
  if (slash == std::string::npos) return {};
  std::string dir = slash == 0 ? "/" : exe.substr(0, slash);
  std::string name = exe.substr(slash + 1);
  // Overlay needs two layers when it has no upper one, and they must not overlap.
  std::string lower = dir + ":" + empty_dir;
  if (::mkdir(empty_dir.c_str(), 0700) != 0 && errno != EEXIST) return {};
  if (lower.find(',') != std::string::npos) return {};
  UniqueFd fs(static_cast<int>(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
  if (!fs) return {};
  if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "lowerdir", lower.c_str(), 0) != 0)
    return {};
  if (::syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) return {};
  UniqueFd mnt(static_cast<int>(
      ::syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV)));
  if (!mnt) return {};
  return UniqueFd(::openat(mnt.get(), name.c_str(), O_PATH | O_CLOEXEC));
}

// The fallback (crun's way): a sealed memfd copy of the binary.
Result<UniqueFd> sealed_copy(int self_fd) {
  struct stat st;
  if (::fstat(self_fd, &st) != 0) return sys_error("stat /proc/self/exe");
  UniqueFd copy(static_cast<int>(
      ::syscall(SYS_memfd_create, "hako-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING)));
  if (!copy) return sys_error("memfd_create");
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n = ::sendfile(copy.get(), self_fd, &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("copy the runtime binary");
    if (n == 0) break;
  }
  if (::fcntl(copy.get(), F_ADD_SEALS, kRequiredSeals) != 0)
    return sys_error("seal the runtime binary copy");
  return copy;
}

}  // namespace

Status ensure_sealed_binary(const std::string& state_root, char** argv, char** envp) {
  UniqueFd self(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  if (!self) return sys_error("open /proc/self/exe");
  if (is_protected(self.get())) return ok();
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  UniqueFd target;
  if (n > 0) {
    exe[n] = 0;
    target = open_through_overlay(exe, state_root + "/.empty");
  }
  if (!target) {
    HAKO_TRY_ASSIGN(target, sealed_copy(self.get()));
  }
  ::syscall(SYS_execveat, target.get(), "", argv, envp, AT_EMPTY_PATH);
  return sys_error("re-exec the protected runtime binary");
}

}  // namespace hako::runtime
