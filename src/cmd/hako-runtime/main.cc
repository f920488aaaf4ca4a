// hako-runtime: an OCI runtime with runc's command line. This file only parses arguments,
// wires the runtime library together and maps errors to exit codes (1 for any failure, the
// container's status for `run` and `exec` in the foreground).
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "base/log.h"
#include "base/strings.h"
#include "runtime/checkpoint.h"
#include "runtime/create.h"
#include "runtime/events.h"
#include "runtime/exec.h"
#include "runtime/features.h"
#include "runtime/foreground.h"
#include "runtime/lifecycle.h"
#include "runtime/ps.h"
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
  std::string criu = "criu";
};

// Everything the command line can say; each command reads the fields it defines.
struct Args {
  Globals g;
  std::string id, bundle = ".", pid_file, console_socket, signal_text = "SIGTERM", format = "table";
  bool no_pivot = false, no_new_keyring = false, detach = false, force = false, all = false;
  bool rootless = false, quiet = false, keep = false;
  int preserve_fds = 0;
  // exec
  std::string process_file, cwd, user;
  std::vector<std::string> env, caps, exec_args, ps_args;
  // events
  bool stats = false;
  std::string interval = "5s";
  std::vector<uint32_t> additional_gids;
  bool tty = false, no_new_privs = false;
  // update
  std::string resources_file;
  std::optional<int64_t> memory, memory_swap, memory_reservation, cpu_quota, pids;
  std::optional<uint64_t> cpu_shares, cpu_period;
  std::optional<uint16_t> blkio_weight;
  std::string cpuset_cpus, cpuset_mems;
  // checkpoint / restore
  std::string image_path, work_path, manage_cgroups_mode;
  bool leave_running = false, tcp_established = false, file_locks = false, ext_unix_sk = false;
  bool shell_job = false, pre_dump = false, no_subreaper = false;
};

struct Commands {
  CLI::App *create, *run, *start, *state, *kill, *del, *pause, *resume;
  CLI::App *list, *ps, *spec, *features, *exec, *update, *events;
  CLI::App *checkpoint, *restore;
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

int status_exit(Logger& log, const Status& s) { return s ? 0 : fail(log, s.error()); }

void add_create_flags(CLI::App* c, Args& a) {
  c->add_option("id", a.id)->required();
  c->add_option("-b,--bundle", a.bundle, "path to the bundle");
  c->add_option("--pid-file", a.pid_file, "file to write the init's pid to");
  c->add_option("--console-socket", a.console_socket, "unix socket to send the pty master to");
  c->add_flag("--no-pivot", a.no_pivot, "use MS_MOVE + chroot instead of pivot_root");
  c->add_flag("--no-new-keyring", a.no_new_keyring, "do not create a session keyring");
  c->add_option("--preserve-fds", a.preserve_fds, "pass N extra fds (3..3+N-1) to the container");
}

CLI::App* add_id_command(CLI::App& app, const char* name, const char* help, Args& a) {
  auto* c = app.add_subcommand(name, help);
  c->add_option("id", a.id)->required();
  return c;
}

void define_lifecycle_commands(CLI::App& app, Args& a, Commands& c) {
  c.create = app.add_subcommand("create", "create a container");
  add_create_flags(c.create, a);
  c.run = app.add_subcommand("run", "create and start a container");
  add_create_flags(c.run, a);
  c.run->add_flag("-d,--detach", a.detach, "detach from the container's process");
  c.run->add_flag("--keep", a.keep, "do not delete the container after it exits");
  c.start = add_id_command(app, "start", "start a created container", a);
  c.state = add_id_command(app, "state", "print a container's state", a);
  c.kill = add_id_command(app, "kill", "send a signal to a container's init", a);
  c.kill->add_option("signal", a.signal_text);
  c.kill->add_flag("-a,--all", a.all, "signal every process in the container");
  c.del = add_id_command(app, "delete", "delete a container", a);
  c.del->add_flag("-f,--force", a.force, "kill it first if it is running");
  c.pause = add_id_command(app, "pause", "freeze every process of a container", a);
  c.resume = add_id_command(app, "resume", "thaw a paused container", a);
}

void define_query_commands(CLI::App& app, Args& a, Commands& c) {
  c.list = app.add_subcommand("list", "list containers");
  c.list->add_option("-f,--format", a.format, "table or json");
  c.list->add_flag("-q,--quiet", a.quiet, "ids only");
  c.ps = add_id_command(app, "ps", "list a container's processes", a);
  c.ps->add_option("-f,--format", a.format, "table or json");
  // Everything after the id is ps(1)'s own arguments, as runc passes them.
  c.ps->prefix_command();
  c.events = add_id_command(app, "events", "print a container's stats and OOM events", a);
  c.events->add_flag("--stats", a.stats, "print the stats once and exit");
  c.events->add_option("--interval", a.interval, "time between stats (Go duration, default 5s)");
  c.spec = app.add_subcommand("spec", "write a template config.json");
  c.spec->add_option("-b,--bundle", a.bundle, "bundle directory");
  c.spec->add_flag("--rootless", a.rootless, "a config for rootless containers");
  c.features = app.add_subcommand("features", "print what this runtime supports");
}

void define_exec_command(CLI::App& app, Args& a, Commands& c) {
  c.exec = app.add_subcommand("exec", "run a process in a container");
  c.exec->add_option("-p,--process", a.process_file, "process.json");
  c.exec->add_option("--console-socket", a.console_socket);
  c.exec->add_option("--pid-file", a.pid_file);
  c.exec->add_flag("-t,--tty", a.tty);
  c.exec->add_flag("-d,--detach", a.detach);
  c.exec->add_option("--cwd", a.cwd);
  c.exec->add_option("-e,--env", a.env)->take_all();
  c.exec->add_option("-u,--user", a.user);
  c.exec->add_option("-g,--additional-gids", a.additional_gids);
  c.exec->add_option("-c,--cap", a.caps);
  c.exec->add_flag("--no-new-privs", a.no_new_privs);
  c.exec->add_option("--preserve-fds", a.preserve_fds);
  c.exec->add_option("--process-label");
  c.exec->add_option("--apparmor");
  c.exec->add_option("--cgroup");
  c.exec->add_option("id", a.id)->required();
  // The command starts at the first positional after the id: its flags are its own.
  c.exec->prefix_command();
}

void define_update_command(CLI::App& app, Args& a, Commands& c) {
  c.update = add_id_command(app, "update", "change a container's resource limits", a);
  c.update->add_option("-r,--resources", a.resources_file, "LinuxResources JSON file, - for stdin");
  c.update->add_option("--memory", a.memory, "memory limit in bytes");
  c.update->add_option("--memory-swap", a.memory_swap, "memory+swap limit in bytes");
  c.update->add_option("--memory-reservation", a.memory_reservation, "memory soft limit in bytes");
  c.update->add_option("--cpu-shares", a.cpu_shares);
  c.update->add_option("--cpu-quota", a.cpu_quota);
  c.update->add_option("--cpu-period", a.cpu_period);
  c.update->add_option("--cpuset-cpus", a.cpuset_cpus);
  c.update->add_option("--cpuset-mems", a.cpuset_mems);
  c.update->add_option("--pids-limit", a.pids);
  c.update->add_option("--blkio-weight", a.blkio_weight);
}
void add_criu_flags(CLI::App* c, Args& a) {
  c->add_option("id", a.id)->required();
  c->add_option("--image-path", a.image_path,
                "directory of the criu images (default ./checkpoint)");
  c->add_option("--work-path", a.work_path, "directory for criu's log and work files");
  c->add_flag("--tcp-established", a.tcp_established, "allow open tcp connections");
  c->add_flag("--file-locks", a.file_locks, "handle file locks");
  c->add_flag("--ext-unix-sk", a.ext_unix_sk, "allow external unix sockets");
  c->add_flag("--shell-job", a.shell_job, "allow a shell job (a terminal from outside)");
  c->add_option("--manage-cgroups-mode", a.manage_cgroups_mode, "soft, full, strict or ignore");
}

void define_criu_commands(CLI::App& app, Args& a, Commands& c) {
  c.checkpoint = app.add_subcommand("checkpoint", "save a running container with criu");
  add_criu_flags(c.checkpoint, a);
  c.checkpoint->add_flag("--leave-running", a.leave_running, "keep the container running");
  c.checkpoint->add_flag("--pre-dump", a.pre_dump, "dump memory only, leave it running");
  c.restore = app.add_subcommand("restore", "restore a container from a checkpoint");
  add_criu_flags(c.restore, a);
  c.restore->add_flag("-d,--detach", a.detach, "detach from the restored container");
  c.restore->add_option("--pid-file", a.pid_file, "file to write the restored init's pid to");
  c.restore->add_option("--console-socket", a.console_socket, "unix socket for the pty master");
  c.restore->add_option("-b,--bundle", a.bundle, "path to the bundle");
  c.restore->add_flag("--no-pivot", a.no_pivot, "accepted for compatibility");
  c.restore->add_flag("--no-subreaper", a.no_subreaper, "accepted for compatibility");
}

// The process for `exec`: a process.json, or the container's own process with the command
// line's arguments and overrides (as runc builds it).
Result<oci::Process> exec_process_spec(const Args& a) {
  if (!a.process_file.empty()) {
    HAKO_TRY_ASSIGN(std::string text, sys::read_file(a.process_file, 4 << 20));
    return oci::parse_process(text);
  }
  HAKO_TRY_ASSIGN(oci::Process p, runtime::container_process_template(a.g.root, a.id));
  p.args = a.exec_args;
  p.terminal = a.tty;
  if (!a.cwd.empty()) p.cwd = a.cwd;
  for (const auto& e : a.env) p.env.push_back(e);
  if (!a.user.empty()) {
    auto parts = split(a.user, ':');
    auto uid = parse_uint64(parts[0]);
    auto gid = parts.size() == 2 ? parse_uint64(parts[1]) : std::optional<uint64_t>(p.user.gid);
    if (!uid || !gid || parts.size() > 2)
      return invalid_argument("--user \"" + a.user + "\": expected UID[:GID]");
    p.user.uid = static_cast<uint32_t>(*uid);
    p.user.gid = static_cast<uint32_t>(*gid);
  }
  if (!a.additional_gids.empty()) p.user.additional_gids = a.additional_gids;
  if (!a.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (auto* set :
         {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted,
          &p.capabilities->ambient, &p.capabilities->inheritable}) {
      for (const auto& cap : a.caps) set->push_back(cap);
    }
  }
  if (a.no_new_privs) p.no_new_privileges = true;
  return p;
}

// `update`: --resources first, then the single-value flags on top, as runc.
Result<oci::Resources> update_resources(const Args& a) {
  oci::Resources r;
  if (!a.resources_file.empty()) {
    auto text = a.resources_file == "-" ? sys::read_fd(STDIN_FILENO, 4 << 20)
                                        : sys::read_file(a.resources_file, 4 << 20);
    if (!text) return std::move(text).error().context("--resources");
    HAKO_TRY_ASSIGN(r, oci::parse_resources(*text));
  }
  if (a.memory || a.memory_swap || a.memory_reservation) {
    if (!r.memory) r.memory.emplace();
    if (a.memory) r.memory->limit = a.memory;
    if (a.memory_swap) r.memory->swap = a.memory_swap;
    if (a.memory_reservation) r.memory->reservation = a.memory_reservation;
  }
  if (a.cpu_shares || a.cpu_quota || a.cpu_period || !a.cpuset_cpus.empty() ||
      !a.cpuset_mems.empty()) {
    if (!r.cpu) r.cpu.emplace();
    if (a.cpu_shares) r.cpu->shares = a.cpu_shares;
    if (a.cpu_quota) r.cpu->quota = a.cpu_quota;
    if (a.cpu_period) r.cpu->period = a.cpu_period;
    if (!a.cpuset_cpus.empty()) r.cpu->cpus = a.cpuset_cpus;
    if (!a.cpuset_mems.empty()) r.cpu->mems = a.cpuset_mems;
  }
  if (a.pids) r.pids_limit = a.pids;
  if (a.blkio_weight) {
    if (!r.block_io) r.block_io.emplace();
    r.block_io->weight = a.blkio_weight;
  }
  return r;
}

int do_create(const Args& a, bool run, Logger& log) {
  runtime::CreateOptions o;
  o.root = a.g.root;
  o.id = a.id;
  o.bundle = a.bundle;
  o.pid_file = a.pid_file;
  o.console_socket = a.console_socket;
  o.no_pivot = a.no_pivot;
  o.no_new_keyring = a.no_new_keyring;
  o.preserve_fds = a.preserve_fds;
  o.start_immediately = run;
  o.keep_console = run && !a.detach && a.console_socket.empty();
  if (run && !a.detach) runtime::block_forwarded_signals();
  auto created = runtime::create_container(o, log);
  if (!created) return fail(log, created.error().context("create container " + a.id));
  if (!run || a.detach) return 0;
  auto code = runtime::wait_in_foreground(created->pid, created->console.get());
  if (!a.keep) {
    Status d = runtime::delete_container(a.g.root, a.id, true, log);
    if (!d) log.warn(d.error().message());
  }
  if (!code) return fail(log, code.error());
  return *code;
}

int do_exec(const Args& a, Logger& log) {
  if (a.process_file.empty() && a.exec_args.empty())
    return fail(log, invalid_argument("exec: give a command or --process"));
  auto p = exec_process_spec(a);
  if (!p) return fail(log, p.error().context("exec in container " + a.id));
  runtime::ExecOptions o;
  o.root = a.g.root;
  o.id = a.id;
  o.pid_file = a.pid_file;
  o.console_socket = a.console_socket;
  o.preserve_fds = a.preserve_fds;
  o.keep_console = !a.detach && a.console_socket.empty();
  if (!a.detach) runtime::block_forwarded_signals();
  auto r = runtime::exec_in_container(o, *p, log);
  if (!r) return fail(log, r.error().context("exec in container " + a.id));
  if (a.detach) return 0;
  auto code = runtime::wait_in_foreground(r->pid, r->console.get());
  if (!code) return fail(log, code.error());
  return *code;
}

runtime::CriuFlags criu_flags(const Args& a) {
  runtime::CriuFlags f;
  f.tcp_established = a.tcp_established;
  f.file_locks = a.file_locks;
  f.ext_unix_sk = a.ext_unix_sk;
  f.shell_job = a.shell_job;
  f.manage_cgroups_mode = a.manage_cgroups_mode;
  return f;
}

int do_checkpoint(const Args& a, Logger& log) {
  runtime::CheckpointOptions o;
  o.root = a.g.root;
  o.id = a.id;
  o.criu = a.g.criu;
  o.image_path = a.image_path;
  o.work_path = a.work_path;
  o.leave_running = a.leave_running;
  o.pre_dump = a.pre_dump;
  o.flags = criu_flags(a);
  return status_exit(log, runtime::checkpoint_container(o, log));
}

int do_restore(const Args& a, Logger& log) {
  runtime::RestoreOptions o;
  o.root = a.g.root;
  o.id = a.id;
  o.bundle = a.bundle;
  o.criu = a.g.criu;
  o.image_path = a.image_path;
  o.work_path = a.work_path;
  o.pid_file = a.pid_file;
  o.console_socket = a.console_socket;
  o.flags = criu_flags(a);
  if (!a.detach) runtime::block_forwarded_signals();
  auto restored = runtime::restore_container(o, log);
  if (!restored) return fail(log, restored.error().context("restore container " + a.id));
  if (a.detach) return 0;
  // As `run` in the foreground: wait for the restored init (our child), then delete.
  auto code = runtime::wait_in_foreground(restored->pid, -1);
  Status d = runtime::delete_container(a.g.root, a.id, true, log);
  if (!d) log.warn(d.error().message());
  if (!code) return fail(log, code.error());
  return *code;
}

int do_list(const Args& a, Logger& log) {
  auto entries = runtime::list_containers(a.g.root);
  if (!entries) return fail(log, entries.error());
  auto shown_pid = [](const runtime::ListEntry& e) {
    return e.status == runtime::ContainerStatus::kStopped ? 0 : e.state.pid;
  };
  if (a.format == "json") {
    json::Value arr = json::Value::array();
    for (const auto& e : *entries) {
      arr.push_back({{"ociVersion", oci::kSpecVersion},
                     {"id", e.state.id},
                     {"pid", shown_pid(e)},
                     {"status", runtime::status_name(e.status)},
                     {"bundle", e.state.bundle},
                     {"rootfs", e.state.rootfs},
                     {"created", e.state.created},
                     {"owner", e.state.owner}});
    }
    std::printf("%s\n", arr.dump().c_str());
  } else if (a.quiet) {
    for (const auto& e : *entries) std::printf("%s\n", e.state.id.c_str());
  } else if (a.format == "table") {
    std::printf("%-20s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
                "OWNER");
    for (const auto& e : *entries) {
      std::printf("%-20s %-8d %-10s %-40s %-31s %s\n", e.state.id.c_str(), shown_pid(e),
                  runtime::status_name(e.status), e.state.bundle.c_str(), e.state.created.c_str(),
                  e.state.owner.empty() ? "root" : e.state.owner.c_str());
    }
  } else {
    return fail(log,
                invalid_argument("--format: unknown format \"" + a.format + "\" (table or json)"));
  }
  return 0;
}

int do_ps(const Args& a, Logger& log) {
  if (a.format == "json") {
    auto pids = runtime::container_pids(a.g.root, a.id);
    if (!pids) return fail(log, pids.error());
    std::printf("%s\n", json::Value(*pids).dump().c_str());
    return 0;
  }
  if (a.format != "table")
    return fail(log,
                invalid_argument("--format: unknown format \"" + a.format + "\" (table or json)"));
  auto table = runtime::container_ps_table(a.g.root, a.id, a.ps_args);
  if (!table) return fail(log, table.error().context("ps container " + a.id));
  std::fputs(table->c_str(), stdout);
  return 0;
}

int do_events(const Args& a, Logger& log) {
  runtime::EventsOptions o;
  o.stats_only = a.stats;
  auto interval = runtime::parse_go_duration(a.interval);
  if (!interval) return fail(log, interval.error());
  o.interval = *interval;
  return status_exit(log, runtime::container_events(a.g.root, a.id, o, stdout, log));
}

int do_spec(const Args& a, Logger& log) {
  std::string path = a.bundle + "/config.json";
  if (sys::exists(path))
    return fail(log, Error(ErrorCode::kAlreadyExists, "file " + path + " exists: remove it first"));
  Status s = sys::write_file_atomic(
      path, runtime::default_spec_json(a.rootless, ::getuid(), ::getgid()), 0644);
  return s ? 0 : fail(log, s.error());
}

// Runs the parsed command; -1 when it is one that does not exist yet.
int dispatch(const Commands& c, const Args& a, Logger& log) {
  const std::string& root = a.g.root;
  if (c.create->parsed() || c.run->parsed()) return do_create(a, c.run->parsed(), log);
  if (c.exec->parsed()) return do_exec(a, log);
  if (c.start->parsed()) return status_exit(log, runtime::start_container(root, a.id, log));
  if (c.del->parsed()) return status_exit(log, runtime::delete_container(root, a.id, a.force, log));
  if (c.pause->parsed()) return status_exit(log, runtime::pause_container(root, a.id));
  if (c.resume->parsed()) return status_exit(log, runtime::resume_container(root, a.id));
  if (c.kill->parsed()) {
    auto sig = sys::parse_signal(a.signal_text);
    if (!sig) return fail(log, sig.error());
    return status_exit(log, runtime::kill_container(root, a.id, *sig, a.all));
  }
  if (c.update->parsed()) {
    auto r = update_resources(a);
    if (!r) return fail(log, r.error());
    return status_exit(log, runtime::update_container(root, a.id, *r));
  }
  if (c.state->parsed()) {
    auto s = runtime::container_state_json(root, a.id);
    if (!s) return fail(log, s.error());
    std::printf("%s\n", s->c_str());
    return 0;
  }
  if (c.checkpoint->parsed()) return do_checkpoint(a, log);
  if (c.restore->parsed()) return do_restore(a, log);
  if (c.list->parsed()) return do_list(a, log);
  if (c.ps->parsed()) return do_ps(a, log);
  if (c.events->parsed()) return do_events(a, log);
  if (c.spec->parsed()) return do_spec(a, log);
  if (c.features->parsed()) {
    std::fputs(runtime::features_json().c_str(), stdout);
    return 0;
  }
  return -1;
}

// An unprivileged caller cannot write /run: its own runtime dir (as runc's
// $XDG_RUNTIME_DIR/runc), else a per-uid directory under /tmp.
std::string rootless_state_root() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/hako-runtime";
  return "/tmp/hako-runtime-" + std::to_string(::geteuid());
}

}  // namespace

int main(int argc, char** argv, char** envp) {
  CLI::App app{"hako-runtime: an OCI runtime with runc's command line", "hako-runtime"};
  app.set_version_flag("-v,--version", std::string("hako-runtime version ") + kVersion +
                                           "\nspec: " + oci::kSpecVersion);
  app.require_subcommand(1);
  Args a;
  auto* root_opt =
      app.add_option("--root", a.g.root,
                     "root directory for container state (default /run/hako-runtime; unprivileged: "
                     "$XDG_RUNTIME_DIR/hako-runtime, else /tmp/hako-runtime-<uid>)");
  app.add_option("--log", a.g.log_path, "log file (default stderr)");
  app.add_option("--log-format", a.g.log_format, "text or json");
  app.add_flag("--debug", a.g.debug, "debug logging");
  app.add_flag("--systemd-cgroup", a.g.systemd_cgroup, "not supported: use cgroupfs paths");
  app.add_option("--rootless", a.g.rootless, "accepted for compatibility");
  app.add_option("--criu", a.g.criu,
                 "the criu binary for checkpoint/restore (default: criu on PATH)");
  Commands c{};
  define_lifecycle_commands(app, a, c);
  define_query_commands(app, a, c);
  define_exec_command(app, a, c);
  define_update_command(app, a, c);
  define_criu_commands(app, a, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (root_opt->count() == 0 && ::geteuid() != 0) a.g.root = rootless_state_root();
  if (c.exec->parsed()) a.exec_args = c.exec->remaining();
  if (c.ps->parsed()) a.ps_args = c.ps->remaining();

  auto logger = make_logger(a.g);
  if (!logger) {
    std::fprintf(stderr, "hako-runtime: %s\n", logger.error().message().c_str());
    return 1;
  }
  Logger& log = *logger;
  if (a.g.systemd_cgroup)
    return fail(log, not_implemented("--systemd-cgroup is not supported; use cgroupfs paths"));
  if (c.create->parsed() || c.run->parsed() || c.exec->parsed()) {
    Status s = sys::make_dirs(a.g.root, 0700);
    struct stat st;
    // /tmp/hako-runtime-<uid> could have been made by someone else first.
    if (s && ::stat(a.g.root.c_str(), &st) == 0 && st.st_uid != ::geteuid())
      s = failed_precondition("state root " + a.g.root +
                              " belongs to another user: remove it or pass --root");
    if (s) s = runtime::ensure_sealed_binary(a.g.root, argv, envp);
    if (!s) return fail(log, s.error());
  }
  int code = dispatch(c, a, log);
  if (code >= 0) return code;
  for (auto* sub : app.get_subcommands()) {
    return fail(log, not_implemented(sub->get_name() + " is not implemented yet (planned with the "
                                                       "runtime-completeness work)"));
  }
  return 1;
}
