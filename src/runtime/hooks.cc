#include "runtime/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

static int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static Status run_hook(const oci::Hook& hook, const std::string& state_json) {
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return sys_error("pipe");
  UniqueFd read_end(in[0]), write_end(in[1]);
  // argv/envp are built before the fork: the child only calls async-signal-safe functions.
  std::vector<std::string> args =
      hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = hook.env;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  HAKO_TRY_ASSIGN(sys::CloneResult child, sys::clone_process(0, true));
  if (child.pid == 0) {
    ::dup2(read_end.get(), STDIN_FILENO);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  read_end.reset();
  // A hook that does not read its stdin must not block us: ignore EPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  (void)sys::write_all(write_end.get(), state_json, "hook stdin");
  write_end.reset();

  int64_t deadline = hook.timeout ? now_ms() + int64_t(*hook.timeout) * 1000 : -1;
  while (true) {
    int wait_ms = deadline < 0 ? -1 : static_cast<int>(std::max<int64_t>(0, deadline - now_ms()));
    pollfd pfd{child.pidfd.get(), POLLIN, 0};
    int r = ::poll(&pfd, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      ::syscall(SYS_pidfd_send_signal, child.pidfd.get(), SIGKILL, nullptr, 0);
      (void)sys::wait_exit_code(child.pid);
      return Error(ErrorCode::kUnavailable,
                   "timed out after " + std::to_string(*hook.timeout) + "s");
    }
    break;
  }
  HAKO_TRY_ASSIGN(int code, sys::wait_exit_code(child.pid));
  if (code == 127) return not_found("cannot execute (missing or not executable)");
  if (code != 0) return internal_error("exited with status " + std::to_string(code));
  return ok();
}

Status run_hooks(const std::vector<oci::Hook>& hooks, const char* kind,
                 const std::string& state_json) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    Status s = run_hook(hooks[i], state_json);
    if (!s)
      return std::move(s).error().context(std::string(kind) + " hook " + std::to_string(i) + " (" +
                                          hooks[i].path + ")");
  }
  return ok();
}

}  // namespace hako::runtime
