// hako-runtime: an OCI runtime with runc's command line. This file only parses arguments,
// wires the runtime library together and maps errors to exit codes (1 for any failure, the
// container's status for `run` and `exec` in the foreground).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "base/log.h"
#include "base/strings.h"
#include "runtime/create.h"
#include "runtime/exec.h"
#include "runtime/features.h"
#include "runtime/foreground.h"
#include "runtime/lifecycle.h"
#include "runtime/self_protect.h"
#include "runtime/spec_template.h"
#include "sys/file.h"
#include "sys/process.h"

namespace {

using namespace hako;

constexpr const char* kVersion = "0.1.0";

struct Globals {
  std::string root = "/run/hako-runtime";
  std::string log_path;
  std::string log_format = "text";
  bool debug = false;
  bool systemd_cgroup = false;
  std::string rootless = "auto";
};

int fail(Logger& log, const Error& e) {
  log.error(e.message());
  // With --log, containerd reads the error from the log; the terminal user still wants it.
  if (!log.to_stderr()) std::fprintf(stderr, "hako-runtime: %s\n", e.message().c_str());
  return 1;
}

Result<Logger> make_logger(const Globals& g) {
  Logger::Format fmt = g.log_format == "json" ? Logger::Format::kJson : Logger::Format::kText;
  if (g.log_format != "json" && g.log_format != "text")
    return invalid_argument("--log-format: unknown format \"" + g.log_format + "\" (text or json)");
  if (g.log_path.empty()) {
    Logger l;
    if (g.debug) l.set_level(LogLevel::kDebug);
    return l;
  }
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(g.log_path, O_WRONLY | O_APPEND | O_CREAT, 0644));
  Logger l(std::move(fd), fmt);
  l.set_level(g.debug ? LogLevel::kDebug : LogLevel::kInfo);
  return l;
}

Result<oci::Process> exec_process_spec(const Globals& g, const std::string& id,
                                       const std::string& process_file,
                                       const std::vector<std::string>& args, bool tty,
                                       const std::string& cwd, const std::vector<std::string>& env,
                                       const std::string& user,
                                       const std::vector<uint32_t>& additional_gids,
                                       const std::vector<std::string>& caps, bool no_new_privs) {
  oci::Process p;
  if (!process_file.empty()) {
    HAKO_TRY_ASSIGN(std::string text, sys::read_file(process_file, 4 << 20));
    HAKO_TRY_ASSIGN(p, oci::parse_process(text));
    return p;
  }
  HAKO_TRY_ASSIGN(p, runtime::container_process_template(g.root, id));
  p.args = args;
  p.terminal = tty;
  if (!cwd.empty()) p.cwd = cwd;
  for (const auto& e : env) p.env.push_back(e);
  if (!user.empty()) {
    auto parts = split(user, ':');
    auto uid = parse_uint64(parts[0]);
    if (!uid || parts.size() > 2)
      return invalid_argument("--user \"" + user + "\": expected UID[:GID]");
    p.user.uid = static_cast<uint32_t>(*uid);
    if (parts.size() == 2) {
      auto gid = parse_uint64(parts[1]);
      if (!gid) return invalid_argument("--user \"" + user + "\": expected UID[:GID]");
      p.user.gid = static_cast<uint32_t>(*gid);
    }
  }
  if (!additional_gids.empty()) p.user.additional_gids = additional_gids;
  if (!caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (auto* set :
         {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted,
          &p.capabilities->ambient, &p.capabilities->inheritable}) {
      for (const auto& c : caps) set->push_back(c);
    }
  }
  if (no_new_privs) p.no_new_privileges = true;
  return p;
}

}  // namespace

int main(int argc, char** argv, char** envp) {
  CLI::App app{"hako-runtime: an OCI runtime with runc's command line", "hako-runtime"};
  app.set_version_flag("-v,--version", std::string("hako-runtime version ") + kVersion +
                                           "\nspec: " + oci::kSpecVersion);
  app.require_subcommand(1);
  Globals g;
  app.add_option("--root", g.root, "root directory for container state");
  app.add_option("--log", g.log_path, "log file (default stderr)");
  app.add_option("--log-format", g.log_format, "text or json");
  app.add_flag("--debug", g.debug, "debug logging");
  app.add_flag("--systemd-cgroup", g.systemd_cgroup, "not supported: use cgroupfs paths");
  app.add_option("--rootless", g.rootless, "accepted for compatibility");
  app.add_option("--criu", "accepted for compatibility");

  std::string id, bundle = ".", pid_file, console_socket, signal_text = "SIGTERM", format = "table";
  bool no_pivot = false, no_new_keyring = false, detach = false, force = false, all = false,
       rootless = false;
  bool quiet = false, keep = false;
  int preserve_fds = 0;

  auto add_create_flags = [&](CLI::App* c) {
    c->add_option("-b,--bundle", bundle, "path to the bundle");
    c->add_option("--pid-file", pid_file, "file to write the init's pid to");
    c->add_option("--console-socket", console_socket, "unix socket to send the pty master to");
    c->add_flag("--no-pivot", no_pivot, "use MS_MOVE + chroot instead of pivot_root");
    c->add_flag("--no-new-keyring", no_new_keyring, "do not create a session keyring");
    c->add_option("--preserve-fds", preserve_fds, "pass N extra fds (3..3+N-1) to the container");
  };

  auto* create = app.add_subcommand("create", "create a container");
  create->add_option("id", id)->required();
  add_create_flags(create);
  auto* run = app.add_subcommand("run", "create and start a container");
  run->add_option("id", id)->required();
  add_create_flags(run);
  run->add_flag("-d,--detach", detach, "detach from the container's process");
  run->add_flag("--keep", keep, "do not delete the container after it exits");
  auto* start = app.add_subcommand("start", "start a created container");
  start->add_option("id", id)->required();
  auto* state = app.add_subcommand("state", "print a container's state");
  state->add_option("id", id)->required();
  auto* kill = app.add_subcommand("kill", "send a signal to a container's init");
  kill->add_option("id", id)->required();
  kill->add_option("signal", signal_text);
  kill->add_flag("-a,--all", all, "signal every process in the container");
  auto* del = app.add_subcommand("delete", "delete a container");
  del->add_option("id", id)->required();
  del->add_flag("-f,--force", force, "kill it first if it is running");
  auto* list = app.add_subcommand("list", "list containers");
  list->add_option("-f,--format", format, "table or json");
  list->add_flag("-q,--quiet", quiet, "ids only");
  auto* ps = app.add_subcommand("ps", "list a container's processes");
  ps->add_option("id", id)->required();
  ps->add_option("-f,--format", format, "table or json");
  ps->allow_extras();
  auto* spec = app.add_subcommand("spec", "write a template config.json");
  spec->add_option("-b,--bundle", bundle, "bundle directory");
  spec->add_flag("--rootless", rootless, "a config for rootless containers");
  auto* features = app.add_subcommand("features", "print what this runtime supports");

  std::string process_file, cwd, user;
  std::vector<std::string> env, caps, exec_args;
  std::vector<uint32_t> additional_gids;
  bool tty = false, no_new_privs = false;
  auto* exec = app.add_subcommand("exec", "run a process in a container");
  exec->add_option("-p,--process", process_file, "process.json");
  exec->add_option("--console-socket", console_socket);
  exec->add_option("--pid-file", pid_file);
  exec->add_flag("-t,--tty", tty);
  exec->add_flag("-d,--detach", detach);
  exec->add_option("--cwd", cwd);
  exec->add_option("-e,--env", env)->take_all();
  exec->add_option("-u,--user", user);
  exec->add_option("-g,--additional-gids", additional_gids);
  exec->add_option("-c,--cap", caps);
  exec->add_flag("--no-new-privs", no_new_privs);
  exec->add_option("--preserve-fds", preserve_fds);
  exec->add_option("--process-label");
  exec->add_option("--apparmor");
  exec->add_option("--cgroup");
  exec->add_option("id", id)->required();
  exec->prefix_command();

  auto* pause = app.add_subcommand("pause", "freeze every process of a container");
  pause->add_option("id", id)->required();
  auto* resume = app.add_subcommand("resume", "thaw a paused container");
  resume->add_option("id", id)->required();
  std::string resources_file;
  std::optional<int64_t> u_memory, u_memory_swap, u_memory_reservation, u_cpu_quota, u_pids;
  std::optional<uint64_t> u_cpu_shares, u_cpu_period;
  std::optional<uint16_t> u_blkio_weight;
  std::string u_cpuset_cpus, u_cpuset_mems;
  auto* update = app.add_subcommand("update", "change a container's resource limits");
  update->add_option("id", id)->required();
  update->add_option("-r,--resources", resources_file, "LinuxResources JSON file, - for stdin");
  update->add_option("--memory", u_memory, "memory limit in bytes");
  update->add_option("--memory-swap", u_memory_swap, "memory+swap limit in bytes");
  update->add_option("--memory-reservation", u_memory_reservation, "memory soft limit in bytes");
  update->add_option("--cpu-shares", u_cpu_shares);
  update->add_option("--cpu-quota", u_cpu_quota);
  update->add_option("--cpu-period", u_cpu_period);
  update->add_option("--cpuset-cpus", u_cpuset_cpus);
  update->add_option("--cpuset-mems", u_cpuset_mems);
  update->add_option("--pids-limit", u_pids);
  update->add_option("--blkio-weight", u_blkio_weight);
  for (const char* later : {"events", "checkpoint", "restore"}) {
    auto* c = app.add_subcommand(later, "not implemented yet");
    c->allow_extras();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (exec->parsed()) {
    for (const auto& extra : exec->remaining()) exec_args.push_back(extra);
  }

  auto logger = make_logger(g);
  if (!logger) {
    std::fprintf(stderr, "hako-runtime: %s\n", logger.error().message().c_str());
    return 1;
  }
  Logger& log = *logger;
  if (g.systemd_cgroup)
    return fail(log, not_implemented("--systemd-cgroup is not supported; use cgroupfs paths"));

  if (create->parsed() || run->parsed() || exec->parsed()) {
    Status s = sys::make_dirs(g.root, 0700);
    if (s) s = runtime::ensure_sealed_binary(g.root, argv, envp);
    if (!s) return fail(log, s.error());
  }

  if (create->parsed() || run->parsed()) {
    runtime::CreateOptions o;
    o.root = g.root;
    o.id = id;
    o.bundle = bundle;
    o.pid_file = pid_file;
    o.console_socket = console_socket;
    o.no_pivot = no_pivot;
    o.no_new_keyring = no_new_keyring;
    o.preserve_fds = preserve_fds;
    o.start_immediately = run->parsed();
    o.keep_console = run->parsed() && !detach && console_socket.empty();
    if (run->parsed() && !detach) runtime::block_forwarded_signals();
    auto created = runtime::create_container(o, log);
    if (!created) return fail(log, created.error().context("create container " + id));
    if (!run->parsed() || detach) return 0;
    auto code = runtime::wait_in_foreground(created->pid, created->console.get());
    if (!keep) {
      Status d = runtime::delete_container(g.root, id, true, log);
      if (!d) log.warn(d.error().message());
    }
    if (!code) return fail(log, code.error());
    return *code;
  }
  if (update->parsed()) {
    oci::Resources r;
    if (!resources_file.empty()) {
      auto text = resources_file == "-" ? sys::read_fd(STDIN_FILENO, 4 << 20)
                                        : sys::read_file(resources_file, 4 << 20);
      if (!text) return fail(log, text.error().context("--resources"));
      auto parsed = oci::parse_resources(*text);
      if (!parsed) return fail(log, parsed.error());
      r = std::move(*parsed);
    }
    if (u_memory || u_memory_swap || u_memory_reservation) {
      if (!r.memory) r.memory.emplace();
      if (u_memory) r.memory->limit = u_memory;
      if (u_memory_swap) r.memory->swap = u_memory_swap;
      if (u_memory_reservation) r.memory->reservation = u_memory_reservation;
    }
    if (u_cpu_shares || u_cpu_quota || u_cpu_period || !u_cpuset_cpus.empty() ||
        !u_cpuset_mems.empty()) {
      if (!r.cpu) r.cpu.emplace();
      if (u_cpu_shares) r.cpu->shares = u_cpu_shares;
      if (u_cpu_quota) r.cpu->quota = u_cpu_quota;
      if (u_cpu_period) r.cpu->period = u_cpu_period;
      if (!u_cpuset_cpus.empty()) r.cpu->cpus = u_cpuset_cpus;
      if (!u_cpuset_mems.empty()) r.cpu->mems = u_cpuset_mems;
    }
    if (u_pids) r.pids_limit = u_pids;
    if (u_blkio_weight) {
      if (!r.block_io) r.block_io.emplace();
      r.block_io->weight = u_blkio_weight;
    }
    Status s = runtime::update_container(g.root, id, r);
    return s ? 0 : fail(log, s.error());
  }
  if (pause->parsed() || resume->parsed()) {
    Status s = pause->parsed() ? runtime::pause_container(g.root, id)
                               : runtime::resume_container(g.root, id);
    return s ? 0 : fail(log, s.error());
  }
  if (start->parsed()) {
    Status s = runtime::start_container(g.root, id, log);
    return s ? 0 : fail(log, s.error());
  }
  if (state->parsed()) {
    auto s = runtime::container_state_json(g.root, id);
    if (!s) return fail(log, s.error());
    std::printf("%s\n", s->c_str());
    return 0;
  }
  if (kill->parsed()) {
    auto sig = sys::parse_signal(signal_text);
    if (!sig) return fail(log, sig.error());
    Status s = runtime::kill_container(g.root, id, *sig, all);
    return s ? 0 : fail(log, s.error());
  }
  if (del->parsed()) {
    Status s = runtime::delete_container(g.root, id, force, log);
    return s ? 0 : fail(log, s.error());
  }
  if (list->parsed()) {
    auto entries = runtime::list_containers(g.root);
    if (!entries) return fail(log, entries.error());
    if (format == "json") {
      json::Value arr = json::Value::array();
      for (const auto& e : *entries) {
        arr.push_back({{"ociVersion", oci::kSpecVersion},
                       {"id", e.state.id},
                       {"pid", e.status == runtime::ContainerStatus::kStopped ? 0 : e.state.pid},
                       {"status", runtime::status_name(e.status)},
                       {"bundle", e.state.bundle},
                       {"rootfs", e.state.rootfs},
                       {"created", e.state.created},
                       {"owner", e.state.owner}});
      }
      std::printf("%s\n", arr.dump().c_str());
    } else if (quiet) {
      for (const auto& e : *entries) std::printf("%s\n", e.state.id.c_str());
    } else if (format == "table") {
      std::printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
                  "OWNER");
      for (const auto& e : *entries) {
        int pid = e.status == runtime::ContainerStatus::kStopped ? 0 : e.state.pid;
        std::printf("%-20s %-8d %-10s %-40s %-31s %s\n", e.state.id.c_str(), pid,
                    runtime::status_name(e.status), e.state.bundle.c_str(), e.state.created.c_str(),
                    e.state.owner.empty() ? "root" : e.state.owner.c_str());
      }
    } else {
      return fail(log,
                  invalid_argument("--format: unknown format \"" + format + "\" (table or json)"));
    }
    return 0;
  }
  if (ps->parsed()) {
    auto pids = runtime::container_pids(g.root, id);
    if (!pids) return fail(log, pids.error());
    if (format == "json") {
      std::printf("%s\n", json::Value(*pids).dump().c_str());
      return 0;
    }
    std::printf("PID\n");
    for (pid_t p : *pids) std::printf("%d\n", p);
    return 0;
  }
  if (spec->parsed()) {
    std::string path = bundle + "/config.json";
    if (sys::exists(path))
      return fail(log,
                  Error(ErrorCode::kAlreadyExists, "file " + path + " exists: remove it first"));
    Status s = sys::write_file_atomic(
        path, runtime::default_spec_json(rootless, ::getuid(), ::getgid()), 0644);
    return s ? 0 : fail(log, s.error());
  }
  if (features->parsed()) {
    std::fputs(runtime::features_json().c_str(), stdout);
    return 0;
  }
  if (exec->parsed()) {
    if (process_file.empty() && exec_args.empty())
      return fail(log, invalid_argument("exec: give a command or --process"));
    auto p = exec_process_spec(g, id, process_file, exec_args, tty, cwd, env, user, additional_gids,
                               caps, no_new_privs);
    if (!p) return fail(log, p.error().context("exec in container " + id));
    runtime::ExecOptions o;
    o.root = g.root;
    o.id = id;
    o.pid_file = pid_file;
    o.console_socket = console_socket;
    o.preserve_fds = preserve_fds;
    o.keep_console = !detach && console_socket.empty();
    if (!detach) runtime::block_forwarded_signals();
    auto r = runtime::exec_in_container(o, *p, log);
    if (!r) return fail(log, r.error().context("exec in container " + id));
    if (detach) return 0;
    auto code = runtime::wait_in_foreground(r->pid, r->console.get());
    if (!code) return fail(log, code.error());
    return *code;
  }
  for (auto* c : app.get_subcommands()) {
    return fail(log, not_implemented(
                         c->get_name() +
                         " is not implemented yet (planned with the runtime-completeness work)"));
  }
  return 1;
}
