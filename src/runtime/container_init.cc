#include "runtime/container_init.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <charconv>

#include "runtime/console.h"
#include "runtime/hooks.h"
#include "runtime/loopback.h"
#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

namespace {

Status set_hostname(const oci::Spec& spec) {
  if (!spec.hostname.empty() && ::sethostname(spec.hostname.data(), spec.hostname.size()) != 0)
    return sys_error("set hostname");
  if (!spec.domainname.empty() &&
      ::setdomainname(spec.domainname.data(), spec.domainname.size()) != 0)
    return sys_error("set domainname");
  return ok();
}

Status apply_sysctl(const oci::Spec& spec) {
  if (!spec.linux) return ok();
  for (const auto& [key, value] : spec.linux->sysctl) {
    if (key.find("..") != std::string::npos || key.find('/') == 0)
      return invalid_argument("linux.sysctl: invalid key \"" + key + "\"");
    std::string path = "/proc/sys/";
    for (char c : key) path += c == '.' ? '/' : c;
    HAKO_TRY_CTX(sys::write_file(path, value), "linux.sysctl." + key);
  }
  return ok();
}

Status enter_time_namespace(const oci::Spec& spec) {
  if (::unshare(CLONE_NEWTIME) != 0) return sys_error("create time namespace");
  if (!spec.linux || spec.linux->time_offsets.empty()) return ok();
  std::string text;
  for (const auto& [clock, off] : spec.linux->time_offsets)
    text += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
  return sys::write_file("/proc/self/timens_offsets", text);
}

// `start` writes one byte into exec.fifo; we poll the read end. We hold a write end ourselves,
// so the read end never reports POLLHUP: it becomes readable only when a byte arrives, and no
// path to the fifo is needed after pivot_root.
Status wait_for_start(int fifo) {
  pollfd pfd{fifo, POLLIN, 0};
  while (true) {
    int r = ::poll(&pfd, 1, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return sys_error("wait for start");
    char b;
    if ((pfd.revents & POLLIN) && ::read(fifo, &b, 1) == 1) return ok();
  }
}

// A session keyring of its own, so the container cannot read the host session's keys (runc's
// default). Kernels or sandboxes without keyrings answer ENOSYS/EACCES: nothing to isolate then.
Status join_session_keyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (::syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name.c_str()) < 0 &&
      errno != ENOSYS && errno != EACCES && errno != EPERM)
    return sys_error("join a new session keyring");
  return ok();
}

Status set_personality(const oci::Spec& spec) {
  if (!spec.linux || !spec.linux->personality) return ok();
  const auto& p = *spec.linux->personality;
  unsigned long persona;
  if (p.domain == "LINUX") {
    persona = 0x0000;  // PER_LINUX
  } else if (p.domain == "LINUX32") {
    persona = 0x0008;  // PER_LINUX32
  } else {
    return invalid_argument("linux.personality.domain: unknown domain \"" + p.domain +
                            "\" (LINUX or LINUX32)");
  }
  if (!p.flags.empty()) return not_implemented("linux.personality.flags: not supported");
  if (::syscall(SYS_personality, persona) < 0) return sys_error("set personality " + p.domain);
  return ok();
}

Status join_namespaces(InitPlan& plan) {
  for (auto& [type, fd] : plan.join) {
    if (::setns(fd.get(), type) != 0) return sys_error("join namespace");
    fd.reset();
  }
  return ok();
}

// The parent made the idmapped mounts (we could not: idmapping a host mount needs privileges
// over it); they arrive as fds, each tagged with its mounts[] index or "rootfs".
Status receive_idmap_mounts(InitPlan& plan, SyncChannel& channel) {
  plan.rootfs.idmap_fds.resize(plan.rootfs.mounts.size());
  for (size_t n = 0; n < plan.idmap_mounts; ++n) {
    HAKO_TRY_ASSIGN(Received r, channel.expect(SyncMessage::kIdmapMount));
    if (r.payload == "rootfs") {
      plan.rootfs.idmapped_root = std::move(r.fd);
      continue;
    }
    size_t i = 0;
    auto [end, ec] = std::from_chars(r.payload.data(), r.payload.data() + r.payload.size(), i);
    if (ec != std::errc() || i >= plan.rootfs.idmap_fds.size())
      return internal_error("idmapped mount: bad index \"" + r.payload + "\"");
    plan.rootfs.idmap_fds[i] = std::move(r.fd);
  }
  return ok();
}

Status init_body(InitPlan& plan, SyncChannel& channel) {
  const oci::Spec& spec = *plan.spec;
  const oci::Process& process = *spec.process;
  // Die with the parent while it still steers us; cleared before reporting ready.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Until execve we are the runtime: no process in the container may open our /proc/PID/fd
  // or /proc/PID/exe (ptrace access needs a dumpable target). execve makes it dumpable again.
  // With a new user namespace, only once the parent has written our maps: an unprivileged
  // parent cannot open /proc/PID/uid_map of a non-dumpable child (nothing of the container
  // runs before then).
  if (!plan.new_user_ns) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (::setsid() < 0) return sys_error("setsid");

  if (plan.two_stage) {
    HAKO_TRY(join_namespaces(plan));
    if (plan.new_user_ns) {
      if (::unshare(CLONE_NEWUSER) != 0) return sys_error("create user namespace");
      HAKO_TRY(channel.send(SyncMessage::kUserNs));
      HAKO_TRY(channel.expect(SyncMessage::kMapsDone));
      ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
      if (::setresuid(0, 0, 0) != 0 || ::setresgid(0, 0, 0) != 0)
        return sys_error("become root in the user namespace");
    }
    if (plan.unshare_flags && ::unshare(static_cast<int>(plan.unshare_flags)) != 0)
      return sys_error("create namespaces");
    if (plan.new_time_ns) HAKO_TRY(enter_time_namespace(spec));
    // The pid namespace (new or joined) applies to our children: the real init is a child,
    // made a sibling of us (CLONE_PARENT) so the runtime process can wait for it.
    HAKO_TRY_ASSIGN(sys::CloneResult init, sys::clone_process(CLONE_PARENT, false));
    if (init.pid != 0) {
      (void)channel.send(SyncMessage::kInitPid, std::to_string(init.pid));
      _exit(0);
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  } else if (plan.new_user_ns) {
    HAKO_TRY(channel.expect(SyncMessage::kMapsDone));
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (::setresuid(0, 0, 0) != 0 || ::setresgid(0, 0, 0) != 0)
      return sys_error("become root in the user namespace");
  }
  if (plan.new_time_ns && !plan.two_stage) HAKO_TRY(enter_time_namespace(spec));

  if (plan.join_cgroups) {
    int err = plan.join_cgroups();
    if (err != 0) return Error::from_errno(err, "join the container's cgroups");
  }
  // From here on nothing the runtime opened is needed but our channel and the fifo: close the
  // rest (cgroup directory fds, the console socket) so none can reach the container.
  HAKO_TRY(sys::close_fds_except(3 + plan.preserve_fds,
                                 {channel.fd(), plan.exec_fifo, plan.exec_fifo_writer}));
  HAKO_TRY(receive_idmap_mounts(plan, channel));
  plan.rootfs.before_cgroup = [&]() -> Status {
    if (!plan.join_cgroups) HAKO_TRY(channel.expect(SyncMessage::kCgroupDone));
    if (plan.new_cgroup_ns && ::unshare(CLONE_NEWCGROUP) != 0)
      return sys_error("create cgroup namespace");
    return ok();
  };
  bool has_mount_ns = false;
  if (spec.linux)
    for (const auto& ns : spec.linux->namespaces) has_mount_ns |= ns.type == "mount";
  if (has_mount_ns) {
    HAKO_TRY(prepare_rootfs(plan.rootfs));
  } else {
    HAKO_TRY(plan.rootfs.before_cgroup());
  }
  std::string state_json;  // for the createContainer/startContainer hooks
  if (spec.hooks &&
      (!spec.hooks->create_container.empty() || !spec.hooks->start_container.empty() ||
       !spec.hooks->prestart.empty() || !spec.hooks->create_runtime.empty())) {
    HAKO_TRY(channel.send(SyncMessage::kHooks));
    HAKO_TRY_ASSIGN(Received r, channel.expect(SyncMessage::kHooksDone));
    state_json = std::move(r.payload);
    HAKO_TRY(run_hooks(spec.hooks->create_container, "createContainer", state_json));
  }
  if (has_mount_ns) {
    HAKO_TRY(enter_rootfs(plan.rootfs, plan.no_pivot));
  } else if (::chroot(plan.rootfs.rootfs.c_str()) != 0 || ::chdir("/") != 0) {
    return sys_error("chroot " + plan.rootfs.rootfs);
  }
  HAKO_TRY(set_hostname(spec));
  HAKO_TRY(bring_loopback_up(spec));
  HAKO_TRY(apply_sysctl(spec));
  if (plan.new_keyring) HAKO_TRY(join_session_keyring(plan.id));
  HAKO_TRY(set_personality(spec));
  {
    UniqueFd dev_null;
    if (spec.linux && !spec.linux->masked_paths.empty()) {
      HAKO_TRY_ASSIGN(dev_null, open_verified_dev_null());
    }
    HAKO_TRY(finish_rootfs(spec, dev_null.get()));
  }
  if (plan.terminal) {
    HAKO_TRY_ASSIGN(UniqueFd master, open_console(process));
    HAKO_TRY(channel.send_with_fd(SyncMessage::kConsole, master.get()));
  }
  HAKO_TRY(apply_process_limits(process));
  ProcessContext pctx;
  pctx.process = &process;
  pctx.install_seccomp = plan.install_seccomp;
  pctx.on_listener = [&](UniqueFd listener) {
    return channel.send_with_fd(SyncMessage::kSeccompListener, listener.get());
  };
  HAKO_TRY(finalize_process(pctx));
  HAKO_TRY_ASSIGN(std::string executable, find_executable(process));
  // Everything we opened is O_CLOEXEC; this catches fds the caller leaked to us.
  if (::syscall(SYS_close_range, 3 + plan.preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    return sys_error("mark inherited fds close-on-exec");

  // From here the parent may exit: stop dying with it.
  ::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  HAKO_TRY(channel.send(SyncMessage::kReady));
  if (plan.wait_for_start) {
    HAKO_TRY(wait_for_start(plan.exec_fifo));
    ::close(plan.exec_fifo);
    ::close(plan.exec_fifo_writer);
  }
  if (spec.hooks) HAKO_TRY(run_hooks(spec.hooks->start_container, "startContainer", state_json));
  return exec_process(process, executable);
}

}  // namespace

void run_container_init(InitPlan& plan, SyncChannel& channel) {
  Status s = init_body(plan, channel);
  // Reaching here means setup or execve failed. Before kReady the parent is listening; after
  // it (a `start`ed container) only the container's stderr is.
  std::string msg = s ? std::string("container init returned") : s.error().message();
  if (!channel.send(SyncMessage::kError, msg)) {
    std::string line = "hako-runtime: " + msg + "\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
  }
  _exit(s.has_value() ? 0 : (s.error().code() == ErrorCode::kNotFound ? 127 : 126));
}

}  // namespace hako::runtime
