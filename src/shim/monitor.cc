#include "shim/monitor.h"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>
#include <vector>

#include "json/reader.h"
#include "oci/spec.h"
#include "runtime/lifecycle.h"
#include "shim/container_events.h"
#include "shim/container_io.h"
#include "shim/health.h"
#include "shim/log_writer.h"
#include "shim/protocol.h"
#include "shim/state_file.h"
#include "shim/volume_use.h"
#include "sys/file.h"
#include "sys/process.h"

// The linker's bounds of our text.
extern "C" char __executable_start, etext;

namespace hako::shim {
namespace {

constexpr size_t kReadChunk = 32 * 1024;

void release_startup_memory();

int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

timespec realtime_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

Status arm_timer(int fd, int64_t ns) {
  itimerspec its{};
  if (ns > 0) {
    its.it_value.tv_sec = ns / 1'000'000'000;
    its.it_value.tv_nsec = ns % 1'000'000'000;
  }
  if (::timerfd_settime(fd, 0, &its, nullptr) != 0) return sys_error("timerfd_settime");
  return ok();
}

// A connected client. Its role is set by its first request.
struct Client {
  enum class Role { kNew, kAttach, kWaiter, kExec, kDone };
  UniqueFd fd;
  Role role = Role::kNew;
  bool creator = false;
  bool want_stdin = false, want_stdout = false, want_stderr = false;
  bool removes = false;  // will remove the container itself after kExit
  // an exec session
  ProcessIo exec;
  bool exec_exited = false;
  int exec_code = 0;
  std::string exec_id;  // the CLI's, for the exec's events
};

class Loop {
 public:
  Loop(ShimConfig config, Logger& log) : c_(std::move(config)), log_(log), health_(c_.health) {}

  Status init(UniqueFd creator);
  int run();

 private:
  // epoll registration tags: the fd number is the key of handlers_.
  enum class Source {
    kSignal,
    kListen,
    kClient,
    kOut,
    kErr,
    kConsole,
    kExecOut,
    kExecErr,
    kStopTimer,
    kRestartTimer,
    kHealthTimer,
    kHealthTimeout,
    kHealthOut
  };
  struct Handler {
    Source source;
    Client* client = nullptr;
  };

  Status watch(int fd, Source s, Client* client = nullptr);
  void unwatch(int fd);

  Status start();
  void on_container_output(int fd, bool is_stderr);
  void on_exec_output(Client& cl, int fd, bool is_stderr);
  void on_signal();
  void on_accept();
  void on_client(Client& cl);
  void handle_request(Client& cl, Msg type, const std::string& payload);
  void start_exec_session(Client& cl, const std::string& payload);
  void container_exited(int status);
  void finish_exec(Client& cl);
  void drain_container_output();
  void close_container_io();
  void drop(Client& cl);
  void broadcast_exit();
  void end_for_good();
  void write_state();
  void send_or_drop(Client& cl, Msg type, std::string_view payload);
  void start_probe();
  void on_probe_output(int fd);
  void finish_probe();
  void stop_health();

  ShimConfig c_;
  Logger& log_;
  UniqueFd epoll_, signal_fd_, listen_, stop_timer_, restart_timer_, own_pid_ns_;
  UniqueFd health_timer_, health_timeout_;
  HealthChecker health_;
  ProcessIo probe_;  // the health probe running now (pid 0: none)
  std::string probe_output_, probe_start_, probe_exec_id_;
  bool probe_exited_ = false, probe_timed_out_ = false;
  int probe_code_ = 0;
  std::unique_ptr<LogWriter> logw_;
  std::map<int, Handler> handlers_;
  std::map<int, std::unique_ptr<Client>> clients_;
  ProcessIo io_;                    // the container's init
  std::vector<VolumeUse> volumes_;  // shares of the volumes mounted for it
  ShimState state_;
  int64_t started_mono_ = 0;
  int64_t backoff_ns_ = 0;
  bool done_ = false;
  int shim_status_ = 0;
};

Status Loop::watch(int fd, Source s, Client* client) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return sys_error("epoll_ctl");
  handlers_[fd] = Handler{s, client};
  return ok();
}

void Loop::unwatch(int fd) {
  if (fd < 0) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  handlers_.erase(fd);
}

Status Loop::init(UniqueFd creator) {
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return sys_error("epoll_create1");
  epoll_.reset(ep);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return sys_error("sigprocmask");
  ::signal(SIGPIPE, SIG_IGN);
  int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return sys_error("signalfd");
  signal_fd_.reset(sfd);
  HAKO_TRY(watch(sfd, Source::kSignal));
  // The container's processes are ours to reap even once their parent (an exec's runtime
  // child, a daemonising process) is gone.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return sys_error("become a subreaper");

  for (UniqueFd* t : {&stop_timer_, &restart_timer_, &health_timer_, &health_timeout_}) {
    int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (fd < 0) return sys_error("timerfd_create");
    t->reset(fd);
  }
  HAKO_TRY(watch(stop_timer_.get(), Source::kStopTimer));
  HAKO_TRY(watch(restart_timer_.get(), Source::kRestartTimer));
  HAKO_TRY(watch(health_timer_.get(), Source::kHealthTimer));
  HAKO_TRY(watch(health_timeout_.get(), Source::kHealthTimeout));
  HAKO_TRY_ASSIGN(own_pid_ns_, sys::open_path("/proc/self/ns/pid", O_RDONLY));

  // The socket through an O_PATH fd of its directory: sun_path holds 108 bytes, run_dir may
  // be longer.
  HAKO_TRY_ASSIGN(UniqueFd dir, sys::open_path(c_.run_dir, O_PATH | O_DIRECTORY));
  std::string path = "/proc/self/fd/" + std::to_string(dir.get()) + "/shim.sock";
  ::unlink(path.c_str());
  int ls = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (ls < 0) return sys_error("socket");
  listen_.reset(ls);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return sys_error("bind " + c_.run_dir + "/shim.sock");
  if (::listen(ls, 64) != 0) return sys_error("listen");
  HAKO_TRY(watch(ls, Source::kListen));

  if (!c_.log_path.empty()) {
    HAKO_TRY_ASSIGN(LogWriter w,
                    LogWriter::open(c_.log_path, LogLimits{c_.log_max_size, c_.log_max_files}));
    logw_ = std::make_unique<LogWriter>(std::move(w));
  }
  // Our shares before the creator (which holds its own until we answer) lets go.
  // Without its share the creator, letting go, would unmount the volume under the container.
  for (const auto& vdir : c_.volume_dirs) {
    auto use = VolumeUse::hold(vdir);
    if (!use) return std::move(use).error().context("hold volume " + vdir);
    volumes_.push_back(std::move(*use));
  }
  state_.shim_pid = ::getpid();
  state_.shim_start_time = sys::process_start_time(state_.shim_pid).value_or(0);

  if (creator) {
    // The creator's first request arrives before we start, so an attached `run` misses none
    // of the container's output.
    auto cl = std::make_unique<Client>();
    cl->fd = std::move(creator);
    cl->creator = true;
    Client& ref = *cl;
    int fd = ref.fd.get();
    clients_[fd] = std::move(cl);
    std::string payload;
    auto type = recv_msg(fd, &payload);
    if (type) {
      handle_request(ref, *type, payload);
    } else {
      drop(ref);
    }
    if (clients_.count(fd)) HAKO_TRY(watch(fd, Source::kClient, &ref));
  }
  return ok();
}

void Loop::send_or_drop(Client& cl, Msg type, std::string_view payload) {
  if (!send_msg(cl.fd.get(), type, payload)) cl.role = Client::Role::kDone;
}

void Loop::write_state() {
  Status s = shim::write_state(c_.run_dir + "/state.json", state_);
  if (!s) log_.error("write state: " + s.error().message());
}

Status Loop::start() {
  record_volume_events(c_, "mount", log_);
  auto started = start_init(c_, log_);
  if (!started) return std::move(started).error();
  io_ = std::move(*started);
  if (io_.stdout_r) HAKO_TRY(watch(io_.stdout_r.get(), Source::kOut));
  if (io_.stderr_r) HAKO_TRY(watch(io_.stderr_r.get(), Source::kErr));
  if (io_.console) HAKO_TRY(watch(io_.console.get(), Source::kConsole));
  state_.status = "running";
  state_.pid = io_.pid;
  state_.pid_start_time = sys::process_start_time(io_.pid).value_or(0);
  state_.started_at = rfc3339_nano_now();
  state_.finished_at.clear();
  state_.exit_code = 0;
  state_.oom_killed = false;
  state_.error.clear();
  started_mono_ = monotonic_ns();
  if (health_.enabled()) {
    health_.reset();
    state_.health = health_.status();
    state_.health_failing_streak = 0;
    // Docker's first probe runs one interval after the start, then every interval.
    itimerspec its{};
    its.it_value.tv_sec = health_.config().interval_ns / 1'000'000'000;
    its.it_value.tv_nsec = health_.config().interval_ns % 1'000'000'000;
    its.it_interval = its.it_value;
    ::timerfd_settime(health_timer_.get(), 0, &its, nullptr);
  }
  write_state();
  record_event(c_, "start", log_);
  return ok();
}

void Loop::start_probe() {
  if (probe_.pid || state_.status != "running") return;  // one probe at a time
  probe_output_.clear();
  probe_exited_ = probe_timed_out_ = false;
  probe_start_ = rfc3339_nano_now();
  Result<ProcessIo> started = [&]() -> Result<ProcessIo> {
    HAKO_TRY_ASSIGN(json::Value p, health_.probe_process(c_.bundle));
    HAKO_TRY_ASSIGN(oci::Process process, oci::parse_process(p.dump()));
    // dockerd runs each probe as an exec and records it as one: create and start before the
    // process starts, exec_die when it is reaped.
    probe_exec_id_ = new_exec_id();
    record_event(c_, exec_action("exec_create", process.args), log_, {{"execID", probe_exec_id_}});
    record_event(c_, exec_action("exec_start", process.args), log_, {{"execID", probe_exec_id_}});
    return start_exec(c_, process, false, own_pid_ns_.get(), log_);
  }();
  if (!started) {
    // Docker records a probe that could not start as a failure with its error as output.
    health_.record(-1, started.error().message(), probe_start_, rfc3339_nano_now(),
                   monotonic_ns() - started_mono_);
    state_.health = health_.status();
    state_.health_failing_streak = health_.failing_streak();
    state_.health_log = health_.log_json();
    write_state();
    return;
  }
  probe_ = std::move(*started);
  release_startup_memory();
  if (probe_.stdout_r) (void)watch(probe_.stdout_r.get(), Source::kHealthOut);
  if (probe_.stderr_r) (void)watch(probe_.stderr_r.get(), Source::kHealthOut);
  (void)arm_timer(health_timeout_.get(), health_.config().timeout_ns);
}

void Loop::on_probe_output(int fd) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    unwatch(fd);
    if (probe_.stdout_r.get() == fd) probe_.stdout_r.reset();
    if (probe_.stderr_r.get() == fd) probe_.stderr_r.reset();
    if (probe_exited_ && !probe_.stdout_r && !probe_.stderr_r) finish_probe();
    return;
  }
  if (probe_output_.size() < 8192) probe_output_.append(buf, static_cast<size_t>(n));
}

void Loop::finish_probe() {
  (void)arm_timer(health_timeout_.get(), 0);
  int code = probe_timed_out_ ? -1 : probe_code_;
  std::string output = probe_output_;
  if (probe_timed_out_)
    output = "Health check exceeded timeout (" +
             std::to_string(health_.config().timeout_ns / 1'000'000'000) + "s)";
  health_.record(code, output, probe_start_, rfc3339_nano_now(), monotonic_ns() - started_mono_);
  probe_ = ProcessIo{};
  if (health_.status() != state_.health && health_.status() != "starting")
    record_event(c_, "health_status: " + health_.status(), log_);
  state_.health = health_.status();
  state_.health_failing_streak = health_.failing_streak();
  state_.health_log = health_.log_json();
  write_state();
}

void Loop::stop_health() {
  (void)arm_timer(health_timer_.get(), 0);
  (void)arm_timer(health_timeout_.get(), 0);
  for (UniqueFd* fd : {&probe_.stdout_r, &probe_.stderr_r}) {
    unwatch(fd->get());
    fd->reset();
  }
  if (probe_.pid) ::kill(probe_.pid, SIGKILL);
}

void Loop::on_container_output(int fd, bool is_stderr) {
  char buf[kReadChunk];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {  // EOF, or EIO from a pty master whose slaves are all closed
    unwatch(fd);
    if (io_.stdout_r.get() == fd) io_.stdout_r.reset();
    if (io_.stderr_r.get() == fd) io_.stderr_r.reset();
    if (io_.console.get() == fd) io_.console.reset();
    return;
  }
  std::string_view data(buf, static_cast<size_t>(n));
  if (logw_) {
    Status s = logw_->write(is_stderr ? Stream::kStderr : Stream::kStdout, data, realtime_now());
    if (!s) log_.error("log: " + s.error().message());
  }
  Msg type = is_stderr ? Msg::kStderr : Msg::kStdout;
  for (auto& [_, cl] : clients_) {
    if (cl->role != Client::Role::kAttach) continue;
    if (is_stderr ? cl->want_stderr : cl->want_stdout) send_or_drop(*cl, type, data);
  }
}

void Loop::on_exec_output(Client& cl, int fd, bool is_stderr) {
  char buf[kReadChunk];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    unwatch(fd);
    if (cl.exec.stdout_r.get() == fd) cl.exec.stdout_r.reset();
    if (cl.exec.stderr_r.get() == fd) cl.exec.stderr_r.reset();
    if (cl.exec.console.get() == fd) cl.exec.console.reset();
    if (cl.exec_exited) finish_exec(cl);
    return;
  }
  send_or_drop(cl, is_stderr ? Msg::kStderr : Msg::kStdout,
               std::string_view(buf, static_cast<size_t>(n)));
}

void Loop::on_signal() {
  signalfd_siginfo si;
  while (::read(signal_fd_.get(), &si, sizeof si) == sizeof si) {
    // SIGTERM/SIGINT/SIGHUP to the shim are ignored: the container outlives its monitor's
    // session, and `hako stop` is how it is stopped.
  }
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    if (pid == io_.pid && state_.status == "running") {
      container_exited(status);
      continue;
    }
    if (probe_.pid && pid == probe_.pid) {
      probe_exited_ = true;
      probe_code_ = exit_code_of(status);
      record_event(c_, "exec_die", log_,
                   {{"execID", probe_exec_id_}, {"exitCode", std::to_string(probe_code_)}});
      if (state_.status != "running") {
        probe_ = ProcessIo{};
      } else if (!probe_.stdout_r && !probe_.stderr_r) {
        finish_probe();
      }
      continue;
    }
    for (auto& [_, cl] : clients_) {
      if (cl->exec.pid != pid) continue;
      cl->exec.pid = 0;
      record_event(c_, "exec_die", log_,
                   {{"execID", cl->exec_id}, {"exitCode", std::to_string(exit_code_of(status))}});
      if (cl->role == Client::Role::kExec) {
        cl->exec_exited = true;
        cl->exec_code = exit_code_of(status);
        if (!cl->exec.stdout_r && !cl->exec.stderr_r && !cl->exec.console) finish_exec(*cl);
      }
      break;
    }
  }
}

void Loop::finish_exec(Client& cl) {
  json::Value v = {{"code", cl.exec_code}};
  send_or_drop(cl, Msg::kExit, v.dump());
  cl.role = Client::Role::kDone;
}

void Loop::on_accept() {
  int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  // Only root (the shim's own user) may steer the container.
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != ::geteuid()) {
    ::close(fd);
    return;
  }
  // A client that stops reading must not stall the container's output for long.
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  auto cl = std::make_unique<Client>();
  cl->fd.reset(fd);
  Client* ref = cl.get();
  clients_[fd] = std::move(cl);
  if (!watch(fd, Source::kClient, ref)) clients_.erase(fd);
}

void Loop::on_client(Client& cl) {
  std::string payload;
  auto type = recv_msg(cl.fd.get(), &payload);
  if (!type) {
    // The client went away. An attached stdin closes with it when the container asked
    // for that (docker run -i without -t: StdinOnce).
    if (cl.want_stdin && c_.stdin_once && io_.stdin_w) {
      unwatch(io_.stdin_w.get());
      io_.stdin_w.reset();
    }
    cl.role = Client::Role::kDone;
    return;
  }
  handle_request(cl, *type, payload);
}

void Loop::handle_request(Client& cl, Msg type, const std::string& payload) {
  auto body = json::parse(payload.empty() ? "{}" : payload, "request");
  json::Value req = body ? *body : json::Value::object();
  auto flag = [&](const char* k) {
    return req.contains(k) && req[k].is_boolean() && req[k].get<bool>();
  };
  auto reply_error = [&](const std::string& m) {
    send_or_drop(cl, Msg::kError, m);
    cl.role = Client::Role::kDone;
  };
  switch (type) {
    case Msg::kOk:  // the creator detaches (run -d)
      if (cl.creator) cl.role = Client::Role::kDone;
      return;
    case Msg::kAttach:
      cl.role = Client::Role::kAttach;
      cl.want_stdin = flag("stdin");
      cl.want_stdout = flag("stdout");
      cl.want_stderr = flag("stderr");
      cl.removes = flag("remove");
      if (!cl.creator && state_.status != "running") {
        json::Value v = {{"code", state_.exit_code}, {"oom", state_.oom_killed}};
        send_or_drop(cl, Msg::kExit, v.dump());
        cl.role = Client::Role::kDone;
        return;
      }
      record_event(c_, "attach", log_);
      return;
    case Msg::kSetRemove:
      cl.removes = flag("remove");
      return;
    case Msg::kSetPolicy: {
      // `hako update --restart`: Docker applies a new policy to the running container at
      // once (the engine stores it in the database after we accept it).
      RestartPolicy rp;
      if (req.contains("name") && req["name"].is_string()) rp.name = req["name"].get<std::string>();
      if (req.contains("max_retries") && req["max_retries"].is_number_integer())
        rp.max_retries = req["max_retries"].get<int>();
      if (rp.name != "no" && rp.name != "always" && rp.name != "unless-stopped" &&
          rp.name != "on-failure")
        return reply_error("invalid restart policy " + rp.name);
      c_.restart = rp;
      send_or_drop(cl, Msg::kOk, "{}");
      cl.role = Client::Role::kDone;
      return;
    }
    case Msg::kStdin: {
      Client* exec = cl.role == Client::Role::kExec ? &cl : nullptr;
      int fd = exec ? (exec->exec.console ? exec->exec.console.get() : exec->exec.stdin_w.get())
                    : (io_.console ? io_.console.get() : io_.stdin_w.get());
      if (fd >= 0) (void)sys::write_all(fd, payload, "stdin");
      return;
    }
    case Msg::kStdinEof:
      if (cl.role == Client::Role::kExec) {
        cl.exec.stdin_w.reset();
      } else {
        io_.stdin_w.reset();
      }
      return;
    case Msg::kResize: {
      winsize ws{};
      if (req.contains("rows") && req["rows"].is_number_unsigned())
        ws.ws_row = req["rows"].get<uint16_t>();
      if (req.contains("cols") && req["cols"].is_number_unsigned())
        ws.ws_col = req["cols"].get<uint16_t>();
      bool exec = cl.role == Client::Role::kExec;
      int fd = exec ? cl.exec.console.get() : io_.console.get();
      if (fd < 0 || ::ioctl(fd, TIOCSWINSZ, &ws) != 0) return;
      // dockerd logs the container's resizes, not an exec's.
      if (!exec)
        record_event(c_, "resize", log_,
                     {{"height", std::to_string(ws.ws_row)}, {"width", std::to_string(ws.ws_col)}});
      return;
    }
    case Msg::kKill: {
      int sig = req.contains("signal") && req["signal"].is_number_integer()
                    ? req["signal"].get<int>()
                    : SIGKILL;
      if (state_.status != "running") return reply_error("container " + c_.id + " is not running");
      pid_t target = cl.role == Client::Role::kExec && cl.exec.pid ? cl.exec.pid : io_.pid;
      if (::kill(target, sig) != 0) return reply_error("kill: " + std::string(strerror(errno)));
      // An attached client proxies signals on its own connection (run's --sig-proxy): it
      // stays attached, unanswered.
      if (cl.role == Client::Role::kAttach || cl.role == Client::Role::kExec) return;
      send_or_drop(cl, Msg::kOk, "{}");
      cl.role = Client::Role::kDone;
      return;
    }
    case Msg::kStop: {
      int timeout = c_.stop_timeout;
      if (req.contains("timeout") && req["timeout"].is_number_integer() &&
          req["timeout"].get<int>() >= 0)
        timeout = req["timeout"].get<int>();
      state_.manual_stop = true;
      cl.role = Client::Role::kWaiter;
      if (state_.status == "restarting") {
        (void)arm_timer(restart_timer_.get(), 0);
        end_for_good();
        return;
      }
      if (state_.status != "running") {
        json::Value v = {{"code", state_.exit_code}};
        send_or_drop(cl, Msg::kExit, v.dump());
        cl.role = Client::Role::kDone;
        return;
      }
      write_state();
      ::kill(io_.pid, timeout == 0 ? SIGKILL : c_.stop_signal);
      if (timeout > 0) (void)arm_timer(stop_timer_.get(), int64_t{timeout} * 1'000'000'000);
      return;
    }
    case Msg::kWait:
      cl.role = Client::Role::kWaiter;
      if (state_.status != "running" && state_.status != "restarting") {
        json::Value v = {{"code", state_.exit_code}, {"oom", state_.oom_killed}};
        send_or_drop(cl, Msg::kExit, v.dump());
        cl.role = Client::Role::kDone;
      }
      return;
    case Msg::kExec:
      start_exec_session(cl, payload);
      return;
    default:
      return reply_error("unknown request");
  }
}

void Loop::start_exec_session(Client& cl, const std::string& payload) {
  auto fail = [&](const Error& e) {
    json::Value v = {{"message", e.message()}, {"code", start_failure_code(e)}};
    send_or_drop(cl, Msg::kError, v.dump());
    cl.role = Client::Role::kDone;
  };
  if (state_.status != "running")
    return fail(failed_precondition("container " + c_.id + " is not running"));
  auto req = json::parse(payload, "exec request");
  if (!req) return fail(req.error());
  if (!req->contains("process") || !(*req)["process"].is_object())
    return fail(invalid_argument("exec request: no process"));
  auto process = oci::parse_process((*req)["process"].dump());
  if (!process) return fail(process.error());
  bool detach = req->value("detach", false);
  bool with_stdin = req->value("stdin", false) && !detach;
  if (detach) process->terminal = false;
  // dockerd's exec create and start are two requests, ours one: both events, then the start.
  cl.exec_id = req->value("id", std::string());
  record_event(c_, exec_action("exec_create", process->args), log_, {{"execID", cl.exec_id}});
  record_event(c_, exec_action("exec_start", process->args), log_, {{"execID", cl.exec_id}});
  auto started = start_exec(c_, *process, with_stdin, own_pid_ns_.get(), log_);
  if (!started) return fail(started.error());
  cl.exec = std::move(*started);
  release_startup_memory();
  json::Value ok_body = {{"pid", cl.exec.pid}};
  send_or_drop(cl, Msg::kOk, ok_body.dump());
  if (detach) {
    // Nobody reads a detached exec's output: it goes nowhere, as with Docker.
    cl.exec = ProcessIo{cl.exec.pid};
    cl.role = Client::Role::kDone;
    return;
  }
  cl.role = Client::Role::kExec;
  if (cl.exec.stdout_r) (void)watch(cl.exec.stdout_r.get(), Source::kExecOut, &cl);
  if (cl.exec.stderr_r) (void)watch(cl.exec.stderr_r.get(), Source::kExecErr, &cl);
  if (cl.exec.console) (void)watch(cl.exec.console.get(), Source::kExecOut, &cl);
}

void Loop::drain_container_output() {
  // The init is gone, and with it every process of its pid namespace: what they wrote is in
  // the pipes; read it all before reporting the exit.
  for (int round = 0; round < 1024; ++round) {
    bool any = false;
    for (auto [fd, is_err] :
         {std::pair{io_.stdout_r.get(), false}, std::pair{io_.stderr_r.get(), true},
          std::pair{io_.console.get(), false}}) {
      if (fd < 0) continue;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 0) > 0) {
        on_container_output(fd, is_err);
        any = true;
      }
    }
    if (!any) break;
  }
  if (logw_) (void)logw_->flush(realtime_now());
}

void Loop::close_container_io() {
  for (UniqueFd* fd : {&io_.stdout_r, &io_.stderr_r, &io_.console, &io_.stdin_w}) {
    unwatch(fd->get());
    fd->reset();
  }
}

void Loop::container_exited(int status) {
  (void)arm_timer(stop_timer_.get(), 0);
  stop_health();
  drain_container_output();
  close_container_io();
  state_.exit_code = exit_code_of(status);
  state_.oom_killed = oom_kills(c_.runtime_root, c_.id) > 0;
  state_.finished_at = rfc3339_nano_now();
  state_.pid = 0;
  Status del = runtime::delete_container(c_.runtime_root, c_.id, true, log_);
  if (!del) log_.error("delete the container's runtime state: " + del.error().message());
  // dockerd unmounts the volumes in its clean-up, before it logs the die.
  record_volume_events(c_, "unmount", log_);
  record_exit(c_, state_.exit_code, state_.oom_killed, monotonic_ns() - started_mono_, log_);

  const RestartPolicy& rp = c_.restart;
  bool restart = false;
  if (!state_.manual_stop) {
    if (rp.name == "always" || rp.name == "unless-stopped") restart = true;
    if (rp.name == "on-failure" && state_.exit_code != 0 &&
        (rp.max_retries <= 0 || state_.restart_count < rp.max_retries))
      restart = true;
  }
  if (!restart) return end_for_good();
  // Docker's backoff: 100 ms, doubled at each restart, at most a minute; reset once the
  // container has run for 10 s.
  int64_t ran = monotonic_ns() - started_mono_;
  if (backoff_ns_ == 0 || ran >= 10'000'000'000LL) {
    backoff_ns_ = 100'000'000;
  } else {
    backoff_ns_ = std::min<int64_t>(backoff_ns_ * 2, 60'000'000'000LL);
  }
  state_.status = "restarting";
  write_state();
  broadcast_exit();
  (void)arm_timer(restart_timer_.get(), backoff_ns_);
}

void Loop::broadcast_exit() {
  json::Value v = {{"code", state_.exit_code}, {"oom", state_.oom_killed}};
  std::string body = v.dump();
  for (auto& [_, cl] : clients_) {
    if (cl->role == Client::Role::kAttach ||
        (cl->role == Client::Role::kWaiter && state_.status != "restarting")) {
      send_or_drop(*cl, Msg::kExit, body);
      cl->role = Client::Role::kDone;
    }
  }
}

void Loop::end_for_good() {
  state_.status = "exited";
  state_.pid = 0;
  write_state();
  // The rootfs was mounted for this run by whoever started the shim; nothing uses it now.
  std::string rootfs = c_.bundle + "/rootfs";
  if (::umount2(rootfs.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    log_.warn("unmount " + rootfs + ": " + strerror(errno));
  volumes_.clear();  // the last user of a volume unmounts it
  bool client_removes = false;
  for (auto& [_, cl] : clients_)
    if (cl->removes && cl->role == Client::Role::kAttach) client_removes = true;
  broadcast_exit();
  done_ = true;
  if (!c_.remove_command.empty() && !client_removes) shim_status_ = -1;  // exec it at the end
}

void Loop::drop(Client& cl) {
  int fd = cl.fd.get();
  for (UniqueFd* f : {&cl.exec.stdout_r, &cl.exec.stderr_r, &cl.exec.console}) {
    unwatch(f->get());
    f->reset();
  }
  unwatch(fd);
  clients_.erase(fd);
}

int Loop::run() {
  auto started = start();
  if (!started) {
    int code = start_failure_code(started.error());
    state_.status = "created";
    state_.exit_code = code;
    state_.error = started.error().message();
    state_.finished_at = rfc3339_nano_now();
    write_state();
    std::string rootfs = c_.bundle + "/rootfs";
    ::umount2(rootfs.c_str(), MNT_DETACH);
    volumes_.clear();
    json::Value v = {{"message", state_.error}, {"code", code}};
    for (auto& [_, cl] : clients_) (void)send_msg(cl->fd.get(), Msg::kError, v.dump());
    return 1;
  }
  {
    json::Value v = {{"pid", io_.pid}};
    for (auto& [_, cl] : clients_)
      if (cl->creator) send_or_drop(*cl, Msg::kOk, v.dump());
  }
  release_startup_memory();
  while (!done_) {
    epoll_event evs[16];
    int n = ::epoll_wait(epoll_.get(), evs, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log_.error("epoll_wait: " + std::string(strerror(errno)));
      return 1;
    }
    for (int i = 0; i < n && !done_; ++i) {
      auto it = handlers_.find(evs[i].data.fd);
      if (it == handlers_.end()) continue;
      Handler h = it->second;
      int fd = evs[i].data.fd;
      switch (h.source) {
        case Source::kSignal:
          on_signal();
          break;
        case Source::kListen:
          on_accept();
          break;
        case Source::kClient:
          on_client(*h.client);
          break;
        case Source::kOut:
          on_container_output(fd, false);
          break;
        case Source::kErr:
          on_container_output(fd, true);
          break;
        case Source::kConsole:
          on_container_output(fd, false);
          break;
        case Source::kExecOut:
          on_exec_output(*h.client, fd, false);
          break;
        case Source::kExecErr:
          on_exec_output(*h.client, fd, true);
          break;
        case Source::kStopTimer: {
          uint64_t ticks;
          (void)!::read(fd, &ticks, sizeof ticks);
          if (state_.status == "running") ::kill(io_.pid, SIGKILL);
          break;
        }
        case Source::kHealthTimer: {
          uint64_t ticks;
          if (::read(fd, &ticks, sizeof ticks) == sizeof ticks) start_probe();
          break;
        }
        case Source::kHealthTimeout: {
          uint64_t ticks;
          if (::read(fd, &ticks, sizeof ticks) != sizeof ticks || !probe_.pid) break;
          probe_timed_out_ = true;
          ::kill(probe_.pid, SIGKILL);
          break;
        }
        case Source::kHealthOut:
          on_probe_output(fd);
          break;
        case Source::kRestartTimer: {
          uint64_t ticks;
          if (::read(fd, &ticks, sizeof ticks) != sizeof ticks) break;
          if (state_.status != "restarting") break;
          ++state_.restart_count;
          auto s = start();
          release_startup_memory();
          if (!s) {
            log_.error("restart: " + s.error().message());
            state_.status = "running";  // so the exit path applies the policy again
            container_exited(W_EXITCODE(start_failure_code(s.error()), 0));
          }
          break;
        }
      }
    }
    // Clients that finished are closed after the batch, so no handler sees a freed one.
    std::vector<Client*> finished;
    for (auto& [_, cl] : clients_)
      if (cl->role == Client::Role::kDone && !cl->exec.pid) finished.push_back(cl.get());
    for (Client* cl : finished) drop(*cl);
  }
  // A socket closed with unread data makes the peer's next recv fail with ECONNRESET before
  // it reads what we sent last (the exit): read what the clients sent (a resize, a signal)
  // first, so they read our last message and then the end.
  for (auto& [fd, _] : clients_) {
    char sink[4096];
    while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
  }
  clients_.clear();
  return shim_status_;
}

// The shim lives as long as its container, mostly asleep in epoll_wait. Starting the
// container ran most of the runtime library once; its text pages (clean, file-backed) would
// stay resident for nothing. Dropping them from our page tables gives the memory back: what
// the loop uses faults back in from the page cache. The heap's free pages go back too.
void release_startup_memory() {
  long page = ::sysconf(_SC_PAGESIZE);
  auto start = reinterpret_cast<uintptr_t>(&__executable_start) & ~static_cast<uintptr_t>(page - 1);
  auto end = reinterpret_cast<uintptr_t>(&etext);
  ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  ::malloc_trim(0);
}

}  // namespace

int run_monitor(ShimConfig config, UniqueFd creator, Logger& log) {
  std::vector<std::string> remove = config.remove_command;
  Loop loop(std::move(config), log);
  Status s = loop.init(std::move(creator));
  if (!s) {
    log.error(s.error().message());
    return 1;
  }
  int status = loop.run();
  if (status == -1) {
    // --rm with nobody left to do it: become `hako rm -f <id>`.
    std::vector<char*> argv;
    for (auto& a : remove) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    log.error("exec " + remove[0] + ": " + strerror(errno));
    return 1;
  }
  return status;
}

}  // namespace hako::shim
