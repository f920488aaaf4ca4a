#include "runtime/lifecycle.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "runtime/container_cgroups.h"
#include "runtime/hooks.h"
#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

namespace {

struct Loaded {
  ContainerState state;
  StatePaths paths;
  UniqueFd lock;
  ContainerStatus status;
};

}  // namespace

// A running container whose cgroup is frozen is paused. Only asked when the status alone says
// running: the freezer read is one more file per query.
ContainerStatus live_status(const ContainerState& state, const StatePaths& paths) {
  ContainerStatus status = container_status(state, paths);
  if (status == ContainerStatus::kRunning || status == ContainerStatus::kCreated) {
    auto cg = ContainerCgroups::load(state.cgroups);
    if (cg && cg->is_frozen()) return ContainerStatus::kPaused;
  }
  return status;
}

namespace {

Result<Loaded> load_locked(const std::string& root, const std::string& id) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(root, id));
  StatePaths paths = state_paths(root, id);
  HAKO_TRY_ASSIGN(UniqueFd lock, lock_container(paths));
  ContainerStatus status = live_status(state, paths);
  return Loaded{std::move(state), std::move(paths), std::move(lock), status};
}

Error wrong_state(const std::string& verb, const std::string& id, ContainerStatus status) {
  return Error(ErrorCode::kFailedPrecondition,
               "cannot " + verb + " container " + id + ": it is " + status_name(status));
}

bool wait_gone(pid_t pid, uint64_t start_time, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 5) {
    auto t = sys::process_start_time(pid);
    if (!t || *t != start_time) return true;
    auto st = sys::process_state(pid);
    if (!st || *st == 'Z') return true;
    ::usleep(5000);
  }
  return false;
}

}  // namespace

static Status set_frozen(const std::string& root, const std::string& id, bool frozen) {
  HAKO_TRY_ASSIGN(Loaded c, load_locked(root, id));
  // As runc, a created container may be paused too: its init waits on the fifo, frozen or not.
  bool can = frozen
                 ? (c.status == ContainerStatus::kRunning || c.status == ContainerStatus::kCreated)
                 : c.status == ContainerStatus::kPaused;
  if (!can) return wrong_state(frozen ? "pause" : "resume", id, c.status);
  HAKO_TRY_ASSIGN(ContainerCgroups cg, ContainerCgroups::load(c.state.cgroups));
  return cg.set_frozen(frozen);
}

Status update_container(const std::string& root, const std::string& id,
                        const oci::Resources& resources) {
  HAKO_TRY_ASSIGN(Loaded c, load_locked(root, id));
  if (c.status == ContainerStatus::kStopped) return wrong_state("update", id, c.status);
  HAKO_TRY_ASSIGN(ContainerCgroups cg, ContainerCgroups::load(c.state.cgroups));
  HAKO_TRY_CTX(cg.update(resources), "update container " + id);
  return ok();
}

Status pause_container(const std::string& root, const std::string& id) {
  return set_frozen(root, id, true);
}

Status resume_container(const std::string& root, const std::string& id) {
  return set_frozen(root, id, false);
}

Status start_container(const std::string& root, const std::string& id, Logger& log) {
  HAKO_TRY_ASSIGN(Loaded c, load_locked(root, id));
  if (c.status != ContainerStatus::kCreated) return wrong_state("start", id, c.status);
  // The init polls the fifo's read end; a writer that writes one byte releases it.
  int fd = ::open(c.paths.exec_fifo().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO)
      return failed_precondition("cannot start container " + id + ": its init has exited");
    return sys_error("open " + c.paths.exec_fifo());
  }
  UniqueFd fifo(fd);
  HAKO_TRY(sys::write_all(fifo.get(), "0", "exec fifo"));
  fifo.reset();
  ::unlink(c.paths.exec_fifo().c_str());
  std::string json = oci_state_json(c.state, ContainerStatus::kRunning, false);
  for (const auto& hook : c.state.poststart_hooks) {
    Status s = run_hooks({hook}, "poststart", json);
    if (!s) log.warn(s.error().message());
  }
  return ok();
}

Result<std::string> container_state_json(const std::string& root, const std::string& id) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(root, id));
  ContainerStatus status = live_status(state, state_paths(root, id));
  return oci_state_json(state, status, true);
}

Status kill_container(const std::string& root, const std::string& id, int signal, bool all) {
  HAKO_TRY_ASSIGN(Loaded c, load_locked(root, id));
  if (c.status == ContainerStatus::kStopped && !all) return wrong_state("kill", id, c.status);
  if (all) {
    HAKO_TRY_ASSIGN(ContainerCgroups cg, ContainerCgroups::load(c.state.cgroups));
    HAKO_TRY_ASSIGN(std::vector<pid_t> pids, cg.pids());
    for (pid_t p : pids) ::kill(p, signal);
    return ok();
  }
  return sys::send_signal(c.state.pid, signal);
}

Status delete_container(const std::string& root, const std::string& id, bool force, Logger& log) {
  auto loaded = load_locked(root, id);
  if (!loaded) {
    if (force && loaded.error().code() == ErrorCode::kNotFound) return ok();
    return std::move(loaded).error();
  }
  Loaded& c = *loaded;
  if (c.status == ContainerStatus::kRunning || c.status == ContainerStatus::kPaused) {
    if (!force) return wrong_state("delete", id, c.status).context("stop it first or use --force");
  }
  if (c.status != ContainerStatus::kStopped) {
    ::kill(c.state.pid, SIGKILL);
    // A frozen process cannot die: thaw it so the signal is delivered.
    if (c.status == ContainerStatus::kPaused) {
      auto cg = ContainerCgroups::load(c.state.cgroups);
      if (cg) (void)cg->set_frozen(false);
    }
    if (!wait_gone(c.state.pid, c.state.pid_start_time, 10000))
      return Error(ErrorCode::kUnavailable,
                   "delete container " + id + ": init did not die after SIGKILL");
  }
  auto cg = ContainerCgroups::load(c.state.cgroups);
  if (cg) {
    Status s = cg->destroy();
    if (!s) log.warn("delete container " + id + ": " + s.error().message());
  }
  Status hooks = run_hooks(c.state.poststop_hooks, "poststop",
                           oci_state_json(c.state, ContainerStatus::kStopped, false));
  // Poststop failures are logged, not fatal: the container is gone either way (spec).
  if (!hooks) log.warn(hooks.error().message());
  return sys::remove_all(c.paths.dir);
}

Result<std::vector<ListEntry>> list_containers(const std::string& root) {
  std::vector<ListEntry> out;
  DIR* dir = ::opendir(root.c_str());
  if (!dir) {
    if (errno == ENOENT) return out;
    return sys_error("open " + root);
  }
  std::vector<std::string> ids;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    // Dot-dirs are the runtime's own (.empty, .seccomp-cache): never container ids.
    if (name[0] != '.' && e->d_type == DT_DIR) ids.push_back(name);
  }
  ::closedir(dir);
  std::sort(ids.begin(), ids.end());
  for (const auto& id : ids) {
    auto state = load_state(root, id);
    if (!state) continue;  // being created or removed right now
    ContainerStatus status = live_status(*state, state_paths(root, id));
    out.push_back({std::move(*state), status});
  }
  return out;
}

Result<std::vector<pid_t>> container_pids(const std::string& root, const std::string& id) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(root, id));
  HAKO_TRY_ASSIGN(ContainerCgroups cg, ContainerCgroups::load(state.cgroups));
  return cg.pids();
}

}  // namespace hako::runtime
