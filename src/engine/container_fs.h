// ContainerRoot: a container's "/" as `cp`, `diff` and `commit` see it, for one command.
//
// A running (or paused) container is reached through /proc/<pid>/root, the container's own view
// with its volumes and binds, as Docker's cp sees it. A created or stopped container has no
// mount: its overlay (image layers + upper/) is mounted at rootfs/ for the lifetime of the
// ContainerRoot and detached after. Every path inside is resolved from fd() with
// openat2(RESOLVE_IN_ROOT), so no symlink of the container leads out of it.
//
// Owns the fd and the mount; move-only; one thread.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "engine/engine.h"

namespace hako::engine {

class ContainerRoot {
 public:
  static Result<ContainerRoot> open(Engine& eng, const ContainerRecord& c);

  int fd() const { return fd_.get(); }  // O_PATH directory
  bool running() const { return running_; }

 private:
  ContainerRoot(UniqueFd fd, snapshot::MountGuard mount, bool running)
      : fd_(std::move(fd)), mount_(std::move(mount)), running_(running) {}

  UniqueFd fd_;
  snapshot::MountGuard mount_;  // declared after fd_: the fd closes before the detach
  bool running_;
};

// Opens path inside root_fd (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS); flags as open(2).
Result<UniqueFd> open_in_root(int root_fd, const std::string& path, int flags);

}  // namespace hako::engine
