#include "runtime/create.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "base/scope_exit.h"
#include "oci/spec.h"
#include "runtime/container_cgroups.h"
#include "runtime/container_init.h"
#include "runtime/hooks.h"
#include "runtime/id_maps.h"
#include "runtime/idmap_mount.h"
#include "runtime/mount_plan.h"
#include "runtime/process_setup.h"
#include "runtime/seccomp_setup.h"
#include "runtime/state.h"
#include "runtime/sync_channel.h"
#include "seccomp/listener.h"
#include "sys/file.h"
#include "sys/process.h"
#include "sys/socket.h"

namespace hako::runtime {

namespace {

struct NamespaceKind {
  const char* type;
  int flag;
};
constexpr NamespaceKind kNamespaceFlags[] = {
    {"user", CLONE_NEWUSER},     {"mount", CLONE_NEWNS},  {"pid", CLONE_NEWPID},
    {"network", CLONE_NEWNET},   {"ipc", CLONE_NEWIPC},   {"uts", CLONE_NEWUTS},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int namespace_flag(const std::string& type) {
  for (const auto& k : kNamespaceFlags) {
    if (type == k.type) return k.flag;
  }
  return 0;
}

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) return path;
  return path.empty() || path == "." ? std::string(cwd) : std::string(cwd) + "/" + path;
}

// A namespace "joined" by path may be the host's own: sysctls then would change the host.
// validate_spec only saw that the namespace is listed; here we compare it with ours.
Status check_sysctl_namespaces(const oci::Linux& lx) {
  if (lx.sysctl.empty()) return ok();
  static const std::pair<const char*, const char*> kProc[] = {
      {"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}};
  std::set<std::string> own;
  for (const auto& ns : lx.namespaces) {
    if (ns.path.empty()) {
      own.insert(ns.type);
      continue;
    }
    for (const auto& [type, proc] : kProc) {
      if (ns.type != type) continue;
      struct stat joined, mine;
      if (::stat(ns.path.c_str(), &joined) != 0) return sys_error("stat " + ns.path);
      std::string self = std::string("/proc/self/ns/") + proc;
      if (::stat(self.c_str(), &mine) != 0) return sys_error("stat " + self);
      if (joined.st_dev != mine.st_dev || joined.st_ino != mine.st_ino) own.insert(ns.type);
    }
  }
  return oci::validate_sysctls(lx.sysctl, own);
}

// Limits an unprivileged caller could only apply through cgroups delegated to it.
bool has_limits(const oci::Linux& lx) {
  if (!lx.resources) return false;
  const oci::Resources& r = *lx.resources;
  return r.memory || r.cpu || r.pids_limit || r.block_io || !r.hugepage_limits.empty() ||
         r.network || !r.unified.empty();
}

// Rootless: cgroups we may not create are skipped (runc does the same) unless the config sets
// limits, which would then silently not apply.
Result<ContainerCgroups> make_cgroups(const oci::Spec& spec, const std::string& id, Logger& log) {
  auto made = ContainerCgroups::create(spec, id);
  if (made || ::geteuid() == 0) return made;
  int err = made.error().sys_errno();
  if ((err != EACCES && err != EPERM && err != EROFS) || has_limits(*spec.linux))
    return std::move(made).error().context(
        "rootless: the cgroups are not delegated to this user (needed for linux.resources)");
  log.warn("rootless: no cgroups for the container (" + made.error().message() + ")");
  return ContainerCgroups::load({});
}

// Idmapped mounts need privileges over the host mount, and without their own maps the
// container's user namespace: both checked before anything is created.
Status check_idmap_requests(const std::vector<IdmapRequest>& requests, bool idmap_root,
                            bool new_user_ns) {
  for (const auto& r : requests) {
    std::string p = "mounts[" + std::to_string(r.mount_index) + "]";
    if (::geteuid() != 0) return invalid_argument(p + ": idmapped mounts need root on the host");
    if (!r.own_maps && !new_user_ns)
      return invalid_argument(p +
                              ": idmap without uidMappings uses the container's user "
                              "namespace: add a new one to linux.namespaces");
  }
  if (idmap_root && (!new_user_ns || ::geteuid() != 0))
    return invalid_argument(std::string("annotations.") + kIdmapRootfsAnnotation +
                            ": needs root on the host and a new user namespace");
  return ok();
}

// After the maps are written: each idmapped mount made here and sent to the init.
Status send_idmap_mounts(SyncChannel& channel, const InitPlan& plan, const oci::Spec& spec,
                         const std::vector<IdmapRequest>& requests, bool idmap_root,
                         pid_t init_pid) {
  if (requests.empty() && !idmap_root) return ok();
  UniqueFd container_ns;
  if (plan.new_user_ns) {
    HAKO_TRY_ASSIGN(container_ns,
                    sys::open_path("/proc/" + std::to_string(init_pid) + "/ns/user", O_RDONLY));
  }
  if (idmap_root) {
    HAKO_TRY_ASSIGN(UniqueFd fd,
                    idmapped_clone(plan.rootfs.rootfs, container_ns.get(), false, false));
    HAKO_TRY(channel.send_with_fd(SyncMessage::kIdmapMount, fd.get(), "rootfs"));
  }
  for (const auto& r : requests) {
    const oci::Mount& m = spec.mounts[r.mount_index];
    std::string p = "mounts[" + std::to_string(r.mount_index) + "]";
    UniqueFd own_ns;
    if (r.own_maps) {
      HAKO_TRY_ASSIGN(own_ns, user_namespace_with_maps(m.uid_mappings, m.gid_mappings));
    }
    int ns = r.own_maps ? own_ns.get() : container_ns.get();
    auto fd = idmapped_clone(plan.rootfs.mounts[r.mount_index].source, ns, r.recursive_tree,
                             r.recursive_attr);
    if (!fd) return std::move(fd).error().context(p);
    HAKO_TRY(
        channel.send_with_fd(SyncMessage::kIdmapMount, fd->get(), std::to_string(r.mount_index)));
  }
  return ok();
}

void kill_and_reap(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<CreatedContainer> create_container(const CreateOptions& options, Logger& log) {
  HAKO_TRY(validate_container_id(options.id));
  std::string bundle = absolute(options.bundle.empty() ? "." : options.bundle);
  auto config_text = sys::read_file(bundle + "/config.json", 16 << 20);
  if (!config_text) return std::move(config_text).error().context("load bundle " + bundle);
  HAKO_TRY_ASSIGN(oci::Spec spec, oci::parse_spec(*config_text));
  HAKO_TRY(oci::validate_spec(spec));
  if (!spec.linux) spec.linux.emplace();
  HAKO_TRY(complete_user_namespace(*spec.linux, ::geteuid(), ::getegid()));
  const oci::Linux& lx = *spec.linux;
  const IdMapPlan map_plan = plan_id_maps(lx, ::geteuid(), ::getegid());
  const std::vector<IdmapRequest> idmaps = idmap_requests(spec);
  HAKO_TRY_ASSIGN(const bool idmap_root, wants_idmapped_rootfs(spec));
  std::string rootfs = spec.root->path[0] == '/' ? spec.root->path : bundle + "/" + spec.root->path;
  struct stat st;
  if (::stat(rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return invalid_argument("root.path: " + rootfs + " is not a directory");

  HAKO_TRY(check_lsm_support(*spec.process));
  HAKO_TRY(check_sysctl_namespaces(lx));

  // The state dir's creation is the id's reservation: mkdir is atomic.
  HAKO_TRY(sys::make_dirs(options.root, 0700));
  StatePaths paths = state_paths(options.root, options.id);
  if (::mkdir(paths.dir.c_str(), 0700) != 0) {
    if (errno == EEXIST)
      return Error(ErrorCode::kAlreadyExists,
                   "container with id " + options.id + " already exists");
    return sys_error("create state dir " + paths.dir);
  }
  ScopeExit remove_state([&] { (void)sys::remove_all(paths.dir); });

  UniqueFd fifo, fifo_writer;
  if (!options.start_immediately) {
    if (::mkfifo(paths.exec_fifo().c_str(), 0600) != 0)
      return sys_error("mkfifo " + paths.exec_fifo());
    HAKO_TRY_ASSIGN(fifo, sys::open_path(paths.exec_fifo(), O_RDONLY | O_NONBLOCK));
    HAKO_TRY_ASSIGN(fifo_writer, sys::open_path(paths.exec_fifo(), O_WRONLY | O_NONBLOCK));
  }

  InitPlan plan;
  plan.spec = &spec;
  plan.no_pivot = options.no_pivot;
  plan.new_keyring = !options.no_new_keyring;
  plan.id = options.id;
  plan.terminal = spec.process->terminal;
  plan.wait_for_start = !options.start_immediately;
  plan.exec_fifo = fifo.get();
  plan.exec_fifo_writer = fifo_writer.get();
  plan.preserve_fds = options.preserve_fds;
  plan.rootfs.rootfs = rootfs;
  plan.rootfs.spec = &spec;
  HAKO_TRY_ASSIGN(plan.rootfs.mounts, plan_mounts(spec, bundle));

  uint64_t new_flags = 0;
  std::vector<std::string> ns_types;
  for (const auto& ns : lx.namespaces) {
    ns_types.push_back(ns.type);
    int flag = namespace_flag(ns.type);
    if (ns.path.empty()) {
      new_flags |= static_cast<uint64_t>(flag);
      continue;
    }
    auto fd = sys::open_path(ns.path, O_RDONLY);
    if (!fd)
      return std::move(fd).error().context("linux.namespaces: join " + ns.type + " namespace");
    // The user namespace is joined first: the others are owned by it.
    if (flag == CLONE_NEWUSER) {
      plan.join.insert(plan.join.begin(), {flag, std::move(*fd)});
    } else {
      plan.join.emplace_back(flag, std::move(*fd));
    }
  }
  plan.new_user_ns = new_flags & CLONE_NEWUSER;
  plan.new_cgroup_ns = new_flags & CLONE_NEWCGROUP;
  plan.rootfs.in_user_ns =
      plan.new_user_ns || std::any_of(plan.join.begin(), plan.join.end(),
                                      [](const auto& j) { return j.first == CLONE_NEWUSER; });
  plan.rootfs.new_cgroup_ns = plan.new_cgroup_ns;
  HAKO_TRY(check_idmap_requests(idmaps, idmap_root, plan.new_user_ns));
  plan.idmap_mounts = idmaps.size() + (idmap_root ? 1 : 0);
  plan.two_stage = !plan.join.empty();
  // The cgroup namespace is always unshared by the child, after it has joined its cgroups,
  // so that the namespace's root is the container's cgroup.
  // So is the time namespace: its offsets can only be written before any process is in it, so
  // the child unshares it (which applies to its children and, at execve, to itself) and writes
  // them first.
  plan.new_time_ns = new_flags & CLONE_NEWTIME;
  uint64_t clone_flags = new_flags & ~static_cast<uint64_t>(CLONE_NEWCGROUP | CLONE_NEWTIME);
  if (plan.two_stage) {
    plan.unshare_flags = clone_flags & ~static_cast<uint64_t>(CLONE_NEWUSER);
    clone_flags = 0;
  }

  HAKO_TRY_ASSIGN(ContainerCgroups cgroups, make_cgroups(spec, options.id, log));
  ScopeExit destroy_cgroups([&] { (void)cgroups.destroy(); });
  plan.rootfs.cgroup_mounts = cgroups.mounts();

  if (lx.seccomp) {
    std::vector<std::string> caps;
    if (spec.process->capabilities) caps = spec.process->capabilities->bounding;
    HAKO_TRY_ASSIGN(plan.install_seccomp, prepare_seccomp(*lx.seccomp, caps, options.root));
  }

  UniqueFd console_socket;
  if (spec.process->terminal && !options.keep_console) {
    if (options.console_socket.empty())
      return invalid_argument(
          "process.terminal is true: --console-socket is required (or use `run` in the "
          "foreground)");
    HAKO_TRY_ASSIGN(console_socket, sys::connect_unix(options.console_socket, SOCK_STREAM));
  }

  HAKO_TRY_ASSIGN(auto socks, sys::seqpacket_pair());
  SyncChannel parent_end(std::move(socks.first));
  log.debug("clone container init with flags " + std::to_string(clone_flags));
  // Without a new user namespace the child can join its cgroups itself, cheaply (see
  // ContainerCgroups::join_from_child); with one it lacks the rights on the host's cgroupfs.
  bool child_joins_cgroups = !plan.two_stage && !plan.new_user_ns;
  int cgroup_fd = -1;
  if (child_joins_cgroups) {
    cgroup_fd = cgroups.clone_into_fd();
    plan.join_cgroups = [&cgroups] { return cgroups.join_from_child(); };
  }
  HAKO_TRY_ASSIGN(sys::CloneResult child,
                  sys::clone_process(clone_flags, !plan.two_stage, cgroup_fd));
  if (child.pid == 0) {
    parent_end = SyncChannel(UniqueFd());
    SyncChannel child_end(std::move(socks.second));
    run_container_init(plan, child_end);
  }
  socks.second.reset();
  pid_t init_pid = child.pid;
  ScopeExit kill_init([&] { kill_and_reap(init_pid); });

  if (plan.two_stage) {
    pid_t stage1 = child.pid;
    if (plan.new_user_ns) {
      HAKO_TRY(parent_end.expect(SyncMessage::kUserNs));
      HAKO_TRY(write_id_maps(stage1, lx, map_plan));
      HAKO_TRY(parent_end.send(SyncMessage::kMapsDone));
    }
    HAKO_TRY_ASSIGN(Received r, parent_end.expect(SyncMessage::kInitPid));
    (void)sys::wait_exit_code(stage1);
    init_pid = static_cast<pid_t>(std::atoi(r.payload.c_str()));
    if (init_pid <= 0) return internal_error("container init reported a bad pid");
  } else if (plan.new_user_ns) {
    HAKO_TRY(write_id_maps(init_pid, lx, map_plan));
    HAKO_TRY(parent_end.send(SyncMessage::kMapsDone));
  }
  HAKO_TRY(send_idmap_mounts(parent_end, plan, spec, idmaps, idmap_root, init_pid));

  ContainerState state;
  state.id = options.id;
  state.pid = init_pid;
  state.pid_start_time = sys::process_start_time(init_pid).value_or(0);
  state.bundle = bundle;
  state.rootfs = rootfs;
  state.created = rfc3339_now();
  state.owner = "";
  state.annotations = spec.annotations;
  state.cgroups = cgroups.stored();
  // exec must apply the config the container was created with, not whatever the bundle's file
  // says later: keep our own copy.
  state.config_path = paths.dir + "/config.json";
  HAKO_TRY(sys::write_file_replace(state.config_path, *config_text, 0600));
  state.namespaces = ns_types;
  state.has_new_user_ns = plan.new_user_ns;
  if (spec.hooks) {
    state.poststop_hooks = spec.hooks->poststop;
    state.poststart_hooks = spec.hooks->poststart;
  }

  if (!child_joins_cgroups) {
    // The slow part of the kernel's cgroup v1 attach (an RCU grace period): the child builds
    // its rootfs meanwhile and waits for kCgroupDone only before its cgroup namespace.
    HAKO_TRY_CTX(cgroups.add_process(init_pid), "join cgroups");
    HAKO_TRY(parent_end.send(SyncMessage::kCgroupDone));
  }

  CreatedContainer out;
  out.pid = init_pid;
  while (true) {
    HAKO_TRY_ASSIGN(Received r, parent_end.receive());
    if (r.type == SyncMessage::kError) return Error(ErrorCode::kFailedPrecondition, r.payload);
    if (r.type == SyncMessage::kHooks) {
      std::string json = oci_state_json(state, ContainerStatus::kCreating, false);
      if (spec.hooks) {
        HAKO_TRY(run_hooks(spec.hooks->prestart, "prestart", json));
        HAKO_TRY(run_hooks(spec.hooks->create_runtime, "createRuntime", json));
      }
      HAKO_TRY(parent_end.send(SyncMessage::kHooksDone,
                               oci_state_json(state, ContainerStatus::kCreated, false)));
    } else if (r.type == SyncMessage::kConsole) {
      if (options.keep_console) {
        out.console = std::move(r.fd);
      } else {
        // runc sends the name "/dev/ptmx" along with the fd; clients ignore it.
        HAKO_TRY_CTX(sys::send_fd(console_socket.get(), r.fd.get(), "/dev/ptmx"),
                     "send the pty to --console-socket");
      }
    } else if (r.type == SyncMessage::kSeccompListener) {
      if (!lx.seccomp->listener_path.empty()) {
        std::string process_state = seccomp::container_process_state(
            init_pid, lx.seccomp->listener_metadata,
            oci_state_json(state, ContainerStatus::kCreating, false));
        HAKO_TRY_CTX(seccomp::send_listener(lx.seccomp->listener_path, r.fd.get(), process_state),
                     "linux.seccomp.listenerPath");
      }
    } else if (r.type == SyncMessage::kReady) {
      break;
    } else {
      return internal_error("container setup: unexpected message");
    }
  }

  HAKO_TRY(save_state(paths, state));
  if (!options.pid_file.empty()) {
    HAKO_TRY_CTX(sys::write_file_atomic(absolute(options.pid_file), std::to_string(init_pid), 0644),
                 "write --pid-file");
  }
  if (options.start_immediately) {
    // The channel closes on a successful execve (CLOEXEC) or carries the exec error.
    auto r = parent_end.receive();
    if (r && r->type == SyncMessage::kError)
      return Error(ErrorCode::kFailedPrecondition, r->payload);
    // The user's process runs: as `start` would, run the poststart hooks (failures are
    // warnings, per the spec).
    Status hooks = run_hooks(state.poststart_hooks, "poststart",
                             oci_state_json(state, ContainerStatus::kRunning, false));
    if (!hooks) log.warn(hooks.error().message());
  }
  kill_init.dismiss();
  destroy_cgroups.dismiss();
  remove_state.dismiss();
  if (!plan.two_stage) {
    out.pidfd = std::move(child.pidfd);
  } else {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, init_pid, 0));
    if (fd >= 0) out.pidfd.reset(fd);
  }
  return out;
}

}  // namespace hako::runtime
