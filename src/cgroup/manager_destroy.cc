// Manager's teardown side: listing, killing and removing. Kept apart from creation because it runs
// in a different process (delete, kill --all, ps) from stored paths.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "base/strings.h"
#include "cgroup/control_files.h"
#include "cgroup/manager.h"
#include "sys/file.h"

namespace hako::cgroup {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxDepth = 64;  // sub-cgroups a container may nest; deeper ones are not walked

Status collect_pids(int dir_fd, const std::string& path, int depth, std::vector<pid_t>& out) {
  auto procs = sys::read_file_at(dir_fd, "cgroup.procs", 16 << 20);
  if (!procs) {
    // Removed under us (the container exited and someone destroyed it): nothing in it.
    if (procs.error().sys_errno() == ENOENT) return ok();
    return std::move(procs).error();
  }
  for (const auto& line : split(*procs, '\n')) {
    if (auto pid = parse_int64(trim(line)); pid && *pid > 0)
      out.push_back(static_cast<pid_t>(*pid));
  }
  if (depth >= kMaxDepth) return ok();
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + path);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return sys_error("opendir " + path);
  }
  Status status;
  while (dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (e->d_type != DT_DIR || name == "." || name == "..") continue;
    int child = ::openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) continue;  // gone meanwhile
    UniqueFd owned(child);
    status = collect_pids(child, path + "/" + e->d_name, depth + 1, out);
    if (!status) break;
  }
  ::closedir(dir);
  return status;
}

// rmdir on cgroupfs removes a cgroup that has no processes and no children, whatever control files
// it shows; EBUSY means a process is still leaving (or a child appeared): retry until the deadline.
Status rmdir_until(const std::string& path, Clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  while (::rmdir(path.c_str()) != 0) {
    if (errno == ENOENT) return ok();
    if (errno != EBUSY || Clock::now() >= deadline) return sys_error("rmdir " + path);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return ok();
}

Status remove_tree(const std::string& path, Clock::time_point deadline, int depth) {
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return errno == ENOENT ? ok() : sys_error("open " + path);
  std::vector<std::string> children;
  while (dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") children.emplace_back(name);
  }
  ::closedir(dir);
  if (depth < kMaxDepth)
    for (const auto& c : children) HAKO_TRY(remove_tree(path + "/" + c, deadline, depth + 1));
  return rmdir_until(path, deadline);
}

bool is_hierarchy_root(int fd) {
  // v1 roots alone carry cgroup.sane_behavior; v2 roots alone lack cgroup.events.
  ControlFiles f(fd, "");
  return f.has("cgroup.sane_behavior") || (f.has("cgroup.controllers") && !f.has("cgroup.events"));
}

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_kill(int pidfd) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0));
}

}  // namespace

Result<std::vector<pid_t>> Manager::pids() const {
  std::vector<pid_t> out;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!fds_[i]) continue;
    HAKO_TRY_CTX(collect_pids(fds_[i].get(), dirs_[i].path, 0, out),
                 "list processes of " + dirs_[i].path);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status Manager::kill_all(Clock::time_point deadline) const {
  bool tried_kill_file = false;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    HAKO_TRY_ASSIGN(std::vector<pid_t> listed, pids());
    if (listed.empty()) return ok();
    if (!tried_kill_file) {
      // cgroup.kill (v2, Linux 5.14) kills the whole subtree atomically, forks in flight included.
      // On hybrid the container is in the cgroup2 directory too, so it works there as well.
      tried_kill_file = true;
      for (size_t i = 0; i < dirs_.size(); ++i) {
        ControlFiles f(fds_[i].get(), dirs_[i].path);
        if (dirs_[i].hierarchy.empty() && fds_[i] && f.has("cgroup.kill"))
          (void)f.write("cgroup.kill", "1", "kill cgroup");
      }
    }
    // A pid read from cgroup.procs may be reused by an unrelated process before kill(2). Take a
    // pidfd first, then check the pid is still listed: a process holding that pid after the pidfd
    // was taken is the pidfd's process, and it is ours. Signalling through the pidfd then hits
    // that process or nothing (ESRCH).
    std::vector<std::pair<pid_t, UniqueFd>> handles;
    for (pid_t pid : listed) {
      int fd = pidfd_open(pid);
      if (fd >= 0) handles.emplace_back(pid, UniqueFd(fd));
    }
    HAKO_TRY_ASSIGN(std::vector<pid_t> still, pids());
    for (const auto& [pid, fd] : handles)
      if (std::binary_search(still.begin(), still.end(), pid)) (void)pidfd_kill(fd.get());
    if (Clock::now() >= deadline)
      return Error(ErrorCode::kUnavailable,
                   "cgroup still holds " + std::to_string(still.size()) +
                       " process(es) after SIGKILL (first: " +
                       (still.empty() ? std::string("none") : std::to_string(still.front())) + ")");
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - Clock::now()));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

Status Manager::remove_dir(const CgroupDir& dir, int levels, Clock::time_point deadline) {
  HAKO_TRY(remove_tree(dir.path, deadline, 0));
  // Parents: only those named, and only while empty. rmdir fails with EBUSY on a cgroup with
  // children, which ends the climb where another container lives.
  std::string p = dir.path;
  for (int level = 1; level < levels; ++level) {
    auto slash = p.find_last_of('/');
    if (slash == std::string::npos || slash == 0) break;
    p.resize(slash);
    if (::rmdir(p.c_str()) != 0) break;
  }
  return ok();
}

Status Manager::destroy(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (size_t i = 0; i < dirs_.size(); ++i)
    if (fds_[i] && is_hierarchy_root(fds_[i].get()))
      return failed_precondition("destroy cgroup: refusing, " + dirs_[i].path +
                                 " is the root of a cgroup hierarchy");
  HAKO_TRY_CTX(kill_all(deadline),
               "destroy cgroup " + (dirs_.empty() ? std::string() : dirs_[0].path));
  Status status;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    // The container's own cgroup only: parents stay, as runc and crun leave them and Docker keeps
    // /docker. Removing an empty /hako after each container cost a mkdir and an rmdir in every
    // v1 hierarchy per container, and raced with a container being created under it.
    Status s = remove_dir(dirs_[i], 1, deadline);
    if (!s && status) status = std::move(s).error().context("destroy cgroup");
    fds_[i].reset();
  }
  return status;
}

}  // namespace hako::cgroup
