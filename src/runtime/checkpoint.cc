#include "runtime/checkpoint.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "base/scope_exit.h"
#include "json/reader.h"
#include "oci/spec.h"
#include "runtime/container_cgroups.h"
#include "runtime/lifecycle.h"
#include "runtime/mount_plan.h"
#include "runtime/state.h"
#include "sys/file.h"
#include "sys/mount.h"
#include "sys/process.h"

namespace hako::runtime {

namespace {

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) return path;
  return path.empty() || path == "." ? std::string(cwd) : std::string(cwd) + "/" + path;
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

// The criu process, forked and held on a pipe until `prepare` (given its pid: cgroups to join,
// their /proc view) returns its arguments, which go down the same pipe: the process is in the
// container's cgroups before criu's first instruction. keep: fds criu inherits (no CLOEXEC).
struct CriuRun {
  std::string criu;
  std::vector<int> keep;
  bool quiet_stdio = false;  // stdin/stdout/stderr on /dev/null (criu logs to its file)
};

[[noreturn]] void criu_child(const CriuRun& run, int gate) {
  std::string blob;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(gate, buf, sizeof buf)) > 0) blob.append(buf, static_cast<size_t>(n));
  if (n < 0 || blob.empty()) ::_exit(126);
  std::vector<std::string> args{run.criu};
  size_t start = 0;
  for (size_t i = 0; i < blob.size(); ++i) {
    if (blob[i] != '\0') continue;
    args.push_back(blob.substr(start, i - start));
    start = i + 1;
  }
  for (int fd : run.keep) ::fcntl(fd, F_SETFD, 0);
  if (run.quiet_stdio) {
    int null_fd = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3 && null_fd >= 0; ++fd) ::dup2(null_fd, fd);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  ::_exit(127);
}

template <typename Prepare>
Result<int> run_criu(const CriuRun& run, Prepare prepare) {
  int gate[2];
  if (::pipe2(gate, O_CLOEXEC) != 0) return sys_error("pipe for criu");
  UniqueFd read_end(gate[0]), write_end(gate[1]);
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork criu");
  if (pid == 0) {
    write_end.reset();
    criu_child(run, read_end.get());
  }
  read_end.reset();
  ScopeExit kill_child([&] {
    ::kill(pid, SIGKILL);
    (void)sys::wait_exit_code(pid);
  });
  HAKO_TRY_ASSIGN(std::vector<std::string> args, prepare(pid));
  std::string blob;
  for (const auto& a : args) blob += a + '\0';
  HAKO_TRY(sys::write_all(write_end.get(), blob, "criu arguments"));
  write_end.reset();
  kill_child.dismiss();
  HAKO_TRY_ASSIGN(int code, sys::wait_exit_code(pid));
  if (code == 127)
    return not_found("run " + run.criu +
                     ": not found or not executable (install criu, or give --criu PATH)");
  return code;
}

Error criu_failed(const std::string& verb, const std::string& log_path, int code) {
  auto text = sys::read_file(log_path, 64 << 20);
  std::string first = text ? criu_log_error(*text) : std::string();
  std::string msg = "criu " + verb + " failed";
  msg += first.empty() ? " with exit status " + std::to_string(code) : ": " + first;
  msg += " (log " + log_path + "; `criu check` tells whether CRIU works on this kernel)";
  return Error(ErrorCode::kFailedPrecondition, msg);
}

Result<oci::Spec> load_spec(const std::string& path) {
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 16 << 20));
  HAKO_TRY_ASSIGN(oci::Spec spec, oci::parse_spec(text));
  if (!spec.linux) spec.linux.emplace();
  return spec;
}

const char* criu_ns_name(const std::string& type) {
  if (type == "network") return "net";
  if (type == "mount") return "mnt";
  return type.c_str();
}

std::string ext_ns_key(const std::string& type) {
  return type == "network" ? "extRootNetNS" : "extRootPidNS";
}

bool in_user_ns(const oci::Spec& spec) {
  for (const auto& ns : spec.linux->namespaces) {
    if (ns.type == "user") return true;
  }
  return false;
}

std::string freeze_cgroup(const std::vector<StoredCgroup>& cgroups) {
  std::string v2;
  for (const auto& c : cgroups) {
    if (c.hierarchy == "freezer") return c.path;
    if (c.hierarchy.empty()) v2 = c.path;
  }
  return v2;
}

// The masked paths that are files in the running container: each is a /dev/null bind mount.
std::vector<std::string> masked_files(const oci::Spec& spec, pid_t pid) {
  std::vector<std::string> out;
  for (const auto& p : spec.linux->masked_paths) {
    struct stat st;
    std::string in_root = "/proc/" + std::to_string(pid) + "/root" + p;
    if (::stat(in_root.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) out.push_back(p);
  }
  return out;
}

Status write_descriptors(pid_t pid, const std::string& images) {
  json::Value fds = json::Value::array();
  for (int fd = 0; fd < 3; ++fd)
    fds.push_back(read_link("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd)));
  return sys::write_file_atomic(images + "/" + kDescriptorsFile, fds.dump(), 0600);
}

}  // namespace

Status checkpoint_container(const CheckpointOptions& o, Logger& log) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(o.root, o.id));
  StatePaths paths = state_paths(o.root, o.id);
  HAKO_TRY_ASSIGN(UniqueFd lock, lock_container(paths));
  ContainerStatus status = live_status(state, paths);
  if (status != ContainerStatus::kRunning && status != ContainerStatus::kPaused)
    return failed_precondition("cannot checkpoint container " + o.id + ": it is " +
                               status_name(status) + " (only a running container can be)");
  HAKO_TRY(validate_manage_cgroups_mode(o.flags.manage_cgroups_mode));
  std::string images = absolute(o.image_path.empty() ? "checkpoint" : o.image_path);
  std::string work = o.work_path.empty() ? images : absolute(o.work_path);
  HAKO_TRY(sys::make_dirs(images, 0700));
  HAKO_TRY(sys::make_dirs(work, 0700));
  HAKO_TRY_ASSIGN(oci::Spec spec, load_spec(state.config_path));
  HAKO_TRY_ASSIGN(std::vector<MountStep> mounts, plan_mounts(spec, state.bundle));
  HAKO_TRY_ASSIGN(ContainerCgroups cgroups, ContainerCgroups::load(state.cgroups));

  CriuDumpRequest req;
  req.pid = state.pid;
  req.images_dir = images;
  req.work_dir = work;
  req.root = state.rootfs;
  req.freeze_cgroup = freeze_cgroup(state.cgroups);
  req.leave_running = o.leave_running;
  req.pre_dump = o.pre_dump;
  req.flags = o.flags;
  req.ext_mounts = criu_external_mounts(spec, mounts, cgroups.mounts(),
                                        masked_files(spec, state.pid), in_user_ns(spec), false);
  // A namespace joined by path is the caller's (a shared netns): criu leaves it alone and
  // expects it back at restore (--inherit-fd there).
  for (const auto& ns : spec.linux->namespaces) {
    if (ns.path.empty() || (ns.type != "network" && ns.type != "pid")) continue;
    struct stat st;
    if (::stat(ns.path.c_str(), &st) != 0) return sys_error("stat " + ns.path);
    req.externals.push_back(std::string(criu_ns_name(ns.type)) + "[" + std::to_string(st.st_ino) +
                            "]:" + ext_ns_key(ns.type));
  }
  std::string descriptors = images + "/" + kDescriptorsFile;
  if (!o.pre_dump) HAKO_TRY(write_descriptors(state.pid, images));
  // A failed dump leaves no descriptors.json: the directory does not look like a checkpoint.
  ScopeExit remove_descriptors([&] {
    if (!o.pre_dump) ::unlink(descriptors.c_str());
  });
  log.debug("criu dump of container " + o.id + " into " + images);
  CriuRun run{o.criu, {}, true};
  HAKO_TRY_ASSIGN(int code, run_criu(run, [&](pid_t) -> Result<std::vector<std::string>> {
                    return criu_dump_args(req);
                  }));
  if (code != 0)
    return criu_failed(o.pre_dump ? "pre-dump" : "dump", work + "/" + kCriuDumpLog, code)
        .context("checkpoint container " + o.id);
  remove_descriptors.dismiss();
  if (o.leave_running || o.pre_dump) return ok();
  // criu has ended the processes: the container is removed as runc does after a checkpoint.
  lock.reset();
  HAKO_TRY_CTX(delete_container(o.root, o.id, true, log), "remove checkpointed container " + o.id);
  return ok();
}

namespace {

// descriptors.json of a checkpoint: its absence means the directory holds no checkpoint.
Result<std::vector<std::string>> read_descriptors(const std::string& images) {
  std::string path = images + "/" + kDescriptorsFile;
  auto text = sys::read_file(path, 1 << 20);
  // criu's own inventory.img is in every dump's images.
  if (text && !sys::exists(images + "/inventory.img"))
    return invalid_argument(images +
                            " holds no criu images (no inventory.img): give the "
                            "--image-path a checkpoint wrote");
  if (!text) {
    if (text.error().sys_errno() == ENOENT)
      return invalid_argument(images + " holds no checkpoint (no " + std::string(kDescriptorsFile) +
                              "): give the --image-path a checkpoint wrote");
    return std::move(text).error();
  }
  HAKO_TRY_ASSIGN(json::Value j, json::parse(*text, path));
  std::vector<std::string> fds;
  if (!j.is_array()) return invalid_argument(path + ": expected an array of strings");
  for (const auto& v : j) fds.push_back(v.is_string() ? v.get<std::string>() : std::string());
  return fds;
}

struct RestorePlan {
  CriuRestoreRequest req;
  std::vector<UniqueFd> ns_fds;  // external namespaces criu inherits
};

Result<RestorePlan> restore_plan(const RestoreOptions& o, const oci::Spec& spec,
                                 const std::string& bundle, const std::vector<std::string>& fds,
                                 const ContainerCgroups& cgroups) {
  RestorePlan p;
  HAKO_TRY_ASSIGN(std::vector<MountStep> mounts, plan_mounts(spec, bundle));
  std::vector<std::string> masked;
  if (!spec.linux->masked_paths.empty()) masked.push_back("/dev/null");
  p.req.ext_mounts =
      criu_external_mounts(spec, mounts, cgroups.mounts(), masked, in_user_ns(spec), true);
  p.req.flags = o.flags;
  // The container's stdio pipes are ours now: criu gives the restored fds our 0, 1, 2.
  for (size_t i = 0; i < fds.size() && i < 3; ++i) {
    if (fds[i].find("pipe:") != std::string::npos)
      p.req.inherit_fds.emplace_back(static_cast<int>(i), fds[i]);
  }
  for (const auto& ns : spec.linux->namespaces) {
    if (ns.path.empty()) continue;
    if (ns.type == "network" || ns.type == "pid") {
      HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(ns.path, O_RDONLY));
      p.req.inherit_fds.emplace_back(fd.get(), ext_ns_key(ns.type));
      p.ns_fds.push_back(std::move(fd));
    } else if (ns.type == "cgroup") {
      return not_implemented(
          "restore: joining a cgroup namespace by path is not supported by "
          "criu; remove linux.namespaces[cgroup].path");
    } else {
      p.req.join_ns.emplace_back(criu_ns_name(ns.type), ns.path);
    }
  }
  return p;
}

ContainerState restored_state(const RestoreOptions& o, const oci::Spec& spec,
                              const std::string& bundle, const std::string& rootfs,
                              const ContainerCgroups& cgroups, const StatePaths& paths) {
  ContainerState s;
  s.id = o.id;
  s.bundle = bundle;
  s.rootfs = rootfs;
  s.created = rfc3339_now();
  s.annotations = spec.annotations;
  s.cgroups = cgroups.stored();
  s.config_path = paths.dir + "/config.json";
  for (const auto& ns : spec.linux->namespaces) {
    s.namespaces.push_back(ns.type);
    if (ns.type == "user" && ns.path.empty()) s.has_new_user_ns = true;
  }
  if (spec.hooks) {
    s.poststop_hooks = spec.hooks->poststop;
    s.poststart_hooks = spec.hooks->poststart;
  }
  return s;
}

}  // namespace

Result<RestoredContainer> restore_container(const RestoreOptions& o, Logger& log) {
  HAKO_TRY(validate_container_id(o.id));
  HAKO_TRY(validate_manage_cgroups_mode(o.flags.manage_cgroups_mode));
  std::string bundle = absolute(o.bundle.empty() ? "." : o.bundle);
  auto config_text = sys::read_file(bundle + "/config.json", 16 << 20);
  if (!config_text) return std::move(config_text).error().context("load bundle " + bundle);
  HAKO_TRY_ASSIGN(oci::Spec spec, oci::parse_spec(*config_text));
  HAKO_TRY(oci::validate_spec(spec));
  if (!spec.linux) spec.linux.emplace();
  if (spec.process->terminal)
    return not_implemented("restore of a container with process.terminal is not supported yet");
  std::string rootfs = spec.root->path[0] == '/' ? spec.root->path : bundle + "/" + spec.root->path;
  std::string images = absolute(o.image_path.empty() ? "checkpoint" : o.image_path);
  std::string work = o.work_path.empty() ? images : absolute(o.work_path);
  HAKO_TRY_ASSIGN(std::vector<std::string> fds, read_descriptors(images));
  HAKO_TRY(sys::make_dirs(work, 0700));

  HAKO_TRY(sys::make_dirs(o.root, 0700));
  StatePaths paths = state_paths(o.root, o.id);
  if (::mkdir(paths.dir.c_str(), 0700) != 0) {
    if (errno == EEXIST)
      return Error(ErrorCode::kAlreadyExists, "container with id " + o.id + " already exists");
    return sys_error("create state dir " + paths.dir);
  }
  ScopeExit remove_state([&] { (void)sys::remove_all(paths.dir); });
  HAKO_TRY_ASSIGN(ContainerCgroups cgroups, ContainerCgroups::create(spec, o.id));
  ScopeExit destroy_cgroups([&] { (void)cgroups.destroy(); });
  HAKO_TRY_ASSIGN(RestorePlan plan, restore_plan(o, spec, bundle, fds, cgroups));

  // criu wants its root to be a mount point whose parent is not overmounted. It lives outside
  // the state dir, which a failure removes recursively: never through a mounted rootfs.
  std::string criu_root = o.root + "/.criu-root-" + o.id;
  if (::mkdir(criu_root.c_str(), 0755) != 0) return sys_error("mkdir " + criu_root);
  ScopeExit remove_root([&] { ::rmdir(criu_root.c_str()); });
  HAKO_TRY(sys::mount_fs(rootfs, criu_root, "", MS_BIND | MS_REC, ""));
  ScopeExit unmount_root([&] { (void)sys::unmount(criu_root, MNT_DETACH); });
  plan.req.images_dir = images;
  plan.req.work_dir = work;
  plan.req.root = criu_root;
  plan.req.pid_file = paths.dir + "/criu.pid";

  CriuRun run{o.criu, {}, false};
  for (const auto& fd : plan.ns_fds) run.keep.push_back(fd.get());
  log.debug("criu restore of container " + o.id + " from " + images);
  HAKO_TRY_ASSIGN(int code, run_criu(run, [&](pid_t criu) -> Result<std::vector<std::string>> {
                    // The restored tree goes where criu is: the container's cgroups.
                    HAKO_TRY_CTX(cgroups.add_process(criu), "join cgroups");
                    HAKO_TRY_ASSIGN(std::string own,
                                    sys::read_file("/proc/" + std::to_string(criu) + "/cgroup"));
                    plan.req.cgroup_roots = criu_cgroup_roots(own);
                    return criu_restore_args(plan.req);
                  }));
  if (code != 0) return criu_failed("restore", work + "/" + kCriuRestoreLog, code);
  HAKO_TRY_ASSIGN(std::string pid_text, sys::read_file(plan.req.pid_file));
  pid_t pid = static_cast<pid_t>(std::atoi(pid_text.c_str()));
  if (pid <= 0) return internal_error("criu restore wrote a bad pid: " + pid_text);
  ScopeExit kill_restored([&] { ::kill(pid, SIGKILL); });

  ContainerState state = restored_state(o, spec, bundle, rootfs, cgroups, paths);
  state.pid = pid;
  state.pid_start_time = sys::process_start_time(pid).value_or(0);
  HAKO_TRY(sys::write_file_atomic(state.config_path, *config_text, 0600));
  HAKO_TRY(save_state(paths, state));
  if (!o.pid_file.empty())
    HAKO_TRY_CTX(sys::write_file_atomic(absolute(o.pid_file), std::to_string(pid), 0644),
                 "write --pid-file");
  kill_restored.dismiss();
  destroy_cgroups.dismiss();
  remove_state.dismiss();
  return RestoredContainer{pid};
}

}  // namespace hako::runtime
