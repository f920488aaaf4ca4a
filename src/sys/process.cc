#include "sys/process.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/strings.h"
#include "sys/file.h"

namespace hako::sys {

Result<CloneResult> clone_process(uint64_t flags, bool want_pidfd, int cgroup_fd) {
  clone_args args{};
  int pidfd = -1;
  args.flags = flags;
  if (want_pidfd) {
    args.flags |= CLONE_PIDFD;
    args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  }
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  // CLONE_PARENT forbids an exit signal; otherwise the parent wants SIGCHLD like fork().
  if (!(flags & CLONE_PARENT)) args.exit_signal = SIGCHLD;
  long r = ::syscall(SYS_clone3, &args, sizeof args);
  if (r < 0) return sys_error("clone3");
  CloneResult out;
  out.pid = static_cast<pid_t>(r);
  if (r > 0 && pidfd >= 0) out.pidfd.reset(pidfd);
  return out;
}

int exit_code_from_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

Result<int> wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return sys_error("wait for process " + std::to_string(pid));
  }
  return exit_code_from_status(status);
}

static std::optional<std::string> read_stat(pid_t pid) {
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!text) return std::nullopt;
  return std::move(*text);
}

std::optional<uint64_t> process_start_time(pid_t pid) {
  auto stat = read_stat(pid);
  if (!stat) return std::nullopt;
  // comm (field 2) may contain spaces and parens: fields resume after the last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  auto fields = split(std::string_view(*stat).substr(close + 2), ' ');
  // fields[0] is field 3 (state); starttime is field 22 → index 19.
  if (fields.size() < 20) return std::nullopt;
  return parse_uint64(fields[19]);
}

std::optional<char> process_state(pid_t pid) {
  auto stat = read_stat(pid);
  if (!stat) return std::nullopt;
  auto close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size()) return std::nullopt;
  return (*stat)[close + 2];
}

Status send_signal(pid_t pid, int sig) {
  if (::kill(pid, sig) != 0)
    return sys_error("send signal " + std::to_string(sig) + " to process " + std::to_string(pid));
  return ok();
}

Status close_fds_except(int first, std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned lo = static_cast<unsigned>(first);
  for (int k : keep) {
    if (k < first) continue;
    if (static_cast<unsigned>(k) > lo &&
        ::syscall(SYS_close_range, lo, static_cast<unsigned>(k) - 1, 0) != 0)
      return sys_error("close inherited fds");
    lo = static_cast<unsigned>(k) + 1;
  }
  if (::syscall(SYS_close_range, lo, ~0U, 0) != 0) return sys_error("close inherited fds");
  return ok();
}

void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);  // EINVAL for the few glibc reserves: nothing to reset
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
}

struct SignalName {
  const char* name;
  int number;
};

static constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

Result<int> parse_signal(std::string_view text) {
  if (auto n = parse_int64(text)) {
    if (*n <= 0 || *n > SIGRTMAX)
      return invalid_argument("invalid signal \"" + std::string(text) + "\"");
    return static_cast<int>(*n);
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view name = upper;
  if (starts_with(name, "SIG")) name.remove_prefix(3);
  for (const auto& s : kSignals) {
    if (name == s.name) return s.number;
  }
  if (starts_with(name, "RTMIN")) {
    std::string_view rest = name.substr(5);
    if (starts_with(rest, "+")) rest.remove_prefix(1);
    auto off = rest.empty() ? std::optional<int64_t>(0) : parse_int64(rest);
    if (off && *off >= 0 && SIGRTMIN + *off <= SIGRTMAX) return static_cast<int>(SIGRTMIN + *off);
  }
  return invalid_argument("invalid signal \"" + std::string(text) + "\"");
}

}  // namespace hako::sys
