#include "runtime/exec.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/scope_exit.h"
#include "runtime/console.h"
#include "runtime/container_cgroups.h"
#include "runtime/lifecycle.h"
#include "runtime/process_setup.h"
#include "runtime/seccomp_setup.h"
#include "runtime/state.h"
#include "runtime/sync_channel.h"
#include "sys/file.h"
#include "sys/process.h"
#include "sys/socket.h"

namespace hako::runtime {

namespace {

struct Join {
  const char* proc_name;
  const char* type;
  int flag;
};
// User first: the others are owned by it and joining them needs its capabilities.
constexpr Join kJoinOrder[] = {
    {"user", "user", CLONE_NEWUSER},  {"mnt", "mount", CLONE_NEWNS},
    {"net", "network", CLONE_NEWNET}, {"ipc", "ipc", CLONE_NEWIPC},
    {"uts", "uts", CLONE_NEWUTS},     {"cgroup", "cgroup", CLONE_NEWCGROUP},
    {"time", "time", CLONE_NEWTIME},
};

Result<oci::Spec> load_config(const ContainerState& state) {
  auto text = sys::read_file(state.config_path, 16 << 20);
  if (!text) return std::move(text).error().context("read the container's config");
  return oci::parse_spec(*text);
}

[[noreturn]] void exec_child(const oci::Process& process,
                             std::vector<std::pair<int, UniqueFd>>& joins, SyncChannel& channel,
                             const ContainerCgroups& cgroups,
                             const std::function<Result<UniqueFd>()>& seccomp, int preserve_fds,
                             const std::string& chroot_to) {
  auto body = [&]() -> Status {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    // Not dumpable until execve: processes in the container must not reach our fds (the
    // container's cgroup dirs among them) through /proc/PID/fd (CVE-2016-9962).
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    // Into the container's v1 cgroups first, still single-threaded and in the host's user and
    // cgroup namespaces: "0" into each `tasks` file moves this thread without the kernel's
    // global threadgroup lock, whose RCU grace period the parent writing our pid into
    // cgroup.procs would wait for (5-13 ms on a cold call). clone3 put us in the cgroup2 one.
    if (int err = cgroups.join_from_child(); err != 0) {
      errno = err;
      return sys_error("join the container's cgroups");
    }
    for (auto& [flag, fd] : joins) {
      if (::setns(fd.get(), flag) != 0) return sys_error("join the container's namespaces");
      fd.reset();
    }
    HAKO_TRY(sys::close_fds_except(3 + preserve_fds, {channel.fd()}));
    // Without a mount namespace the container's root is a chroot: enter it too.
    if (!chroot_to.empty() && (::chroot(chroot_to.c_str()) != 0 || ::chdir("/") != 0))
      return sys_error("chroot " + chroot_to);
    if (::setsid() < 0) return sys_error("setsid");
    if (process.terminal) {
      HAKO_TRY_ASSIGN(UniqueFd master, open_console(process));
      HAKO_TRY(channel.send_with_fd(SyncMessage::kConsole, master.get()));
    }
    HAKO_TRY(apply_process_limits(process));
    ProcessContext ctx;
    ctx.process = &process;
    ctx.install_seccomp = seccomp;
    HAKO_TRY(finalize_process(ctx));
    HAKO_TRY_ASSIGN(std::string executable, find_executable(process));
    ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
    return exec_process(process, executable);
  };
  Status s = body();
  (void)channel.send(SyncMessage::kError, s ? "exec returned" : s.error().message());
  _exit(s.has_value() ? 0 : (s.error().code() == ErrorCode::kNotFound ? 127 : 126));
}

}  // namespace

Result<oci::Process> container_process_template(const std::string& root, const std::string& id) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(root, id));
  HAKO_TRY_ASSIGN(oci::Spec spec, load_config(state));
  if (!spec.process) return invalid_argument("the container's config has no process");
  return *spec.process;
}

Result<ExecedProcess> exec_in_container(const ExecOptions& options, const oci::Process& process,
                                        Logger& log) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(options.root, options.id));
  // A paused container's cgroup is frozen: a process moved into it would never run.
  ContainerStatus status = live_status(state, state_paths(options.root, options.id));
  if (status != ContainerStatus::kRunning && status != ContainerStatus::kCreated)
    return Error(ErrorCode::kFailedPrecondition,
                 "cannot exec in container " + options.id + ": it is " + status_name(status));
  if (process.args.empty()) return invalid_argument("exec: no command given");
  HAKO_TRY_ASSIGN(oci::Spec spec, load_config(state));

  std::string ns_dir = "/proc/" + std::to_string(state.pid) + "/ns/";
  std::vector<std::pair<int, UniqueFd>> joins;
  UniqueFd pid_ns;
  for (const auto& j : kJoinOrder) {
    bool has = std::find(state.namespaces.begin(), state.namespaces.end(), j.type) !=
               state.namespaces.end();
    if (!has) continue;
    HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(ns_dir + j.proc_name, O_RDONLY));
    joins.emplace_back(j.flag, std::move(fd));
  }
  if (std::find(state.namespaces.begin(), state.namespaces.end(), "pid") !=
      state.namespaces.end()) {
    HAKO_TRY_ASSIGN(pid_ns, sys::open_path(ns_dir + "pid", O_RDONLY));
  }
  std::function<Result<UniqueFd>()> seccomp;
  if (spec.linux && spec.linux->seccomp) {
    std::vector<std::string> caps;
    if (process.capabilities) caps = process.capabilities->bounding;
    HAKO_TRY_ASSIGN(seccomp, prepare_seccomp(*spec.linux->seccomp, caps, options.root));
  }
  HAKO_TRY_ASSIGN(ContainerCgroups cgroups, ContainerCgroups::load(state.cgroups));
  UniqueFd console_socket;
  if (process.terminal && !options.keep_console) {
    if (options.console_socket.empty())
      return invalid_argument("exec -t needs --console-socket (or run it in the foreground)");
    HAKO_TRY_ASSIGN(console_socket, sys::connect_unix(options.console_socket, SOCK_STREAM));
  }

  bool has_mount_ns = std::find(state.namespaces.begin(), state.namespaces.end(), "mount") !=
                      state.namespaces.end();
  std::string chroot_to = has_mount_ns ? std::string() : state.rootfs;
  // Rootless: only inside the container's user namespace are we privileged over its pid
  // namespace, so this process joins it first (the child inherits it; it joins the rest).
  if (::geteuid() != 0 && !joins.empty() && joins.front().first == CLONE_NEWUSER) {
    if (::setns(joins.front().second.get(), CLONE_NEWUSER) != 0)
      return sys_error("join the container's user namespace");
    joins.erase(joins.begin());
  }
  // Joining a pid namespace affects only children: enter it here, clone into it.
  if (pid_ns && ::setns(pid_ns.get(), CLONE_NEWPID) != 0)
    return sys_error("join the container's pid namespace");
  HAKO_TRY_ASSIGN(auto socks, sys::seqpacket_pair());
  SyncChannel parent_end(std::move(socks.first));
  HAKO_TRY_ASSIGN(sys::CloneResult child, sys::clone_process(0, true, cgroups.clone_into_fd()));
  if (child.pid == 0) {
    SyncChannel child_end(std::move(socks.second));
    exec_child(process, joins, child_end, cgroups, seccomp, options.preserve_fds, chroot_to);
  }
  socks.second.reset();
  ScopeExit kill_child([&] {
    ::kill(child.pid, SIGKILL);
    (void)sys::wait_exit_code(child.pid);
  });
  ExecedProcess out;
  out.pid = child.pid;
  while (true) {
    auto r = parent_end.receive();
    if (!r) break;  // closed on a successful execve
    if (r->type == SyncMessage::kError) return Error(ErrorCode::kFailedPrecondition, r->payload);
    if (r->type == SyncMessage::kConsole) {
      if (options.keep_console) {
        out.console = std::move(r->fd);
      } else {
        HAKO_TRY_CTX(sys::send_fd(console_socket.get(), r->fd.get(), "/dev/ptmx"),
                     "send the pty to --console-socket");
      }
    }
  }
  if (!options.pid_file.empty())
    HAKO_TRY(sys::write_file_atomic(options.pid_file, std::to_string(child.pid)));
  log.debug("exec'd process " + std::to_string(child.pid) + " in container " + options.id);
  kill_child.dismiss();
  return out;
}

}  // namespace hako::runtime
