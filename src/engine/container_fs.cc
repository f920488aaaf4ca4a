#include "engine/container_fs.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hako::engine {

Result<UniqueFd> open_in_root(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* rel = path.empty() ? "." : path.c_str();
  long fd = ::syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
  if (fd < 0) return sys_error("open " + (path.empty() ? std::string("/") : path));
  return UniqueFd(static_cast<int>(fd));
}

Result<ContainerRoot> ContainerRoot::open(Engine& eng, const ContainerRecord& c) {
  LiveState s = eng.state_of(c.id);
  bool live = s.status == "running" || s.status == "paused" || s.status == "restarting";
  if (live && s.record.pid > 0 && process_alive(s.record.pid, s.record.pid_start_time)) {
    std::string proc_root = "/proc/" + std::to_string(s.record.pid) + "/root";
    int fd = ::open(proc_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error("open the root of container " + c.id + " (" + proc_root + ")");
    UniqueFd root(fd);
    // The pid could have been reused between the check and the open: check again after.
    if (!process_alive(s.record.pid, s.record.pid_start_time))
      return failed_precondition("container " + c.id + " stopped; try again");
    return ContainerRoot(std::move(root), {}, true);
  }
  HAKO_TRY_ASSIGN(snapshot::MountGuard mount, eng.mount_rootfs(c));
  int fd = ::open(mount.target().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + mount.target());
  return ContainerRoot(UniqueFd(fd), std::move(mount), false);
}

}  // namespace hako::engine
