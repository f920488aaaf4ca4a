#include "runtime/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
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
  // A socket rather than a pipe for the hook's stdin: send(MSG_NOSIGNAL) reports a hook that
  // does not read as EPIPE, with no need to ignore SIGPIPE (which the container's init would
  // otherwise carry into the user's process).
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return sys_error("socketpair");
  UniqueFd hook_end(sv[0]), our_end(sv[1]);
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
    ::shutdown(hook_end.get(), SHUT_WR);
    ::dup2(hook_end.get(), STDIN_FILENO);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  hook_end.reset();
  ::fcntl(our_end.get(), F_SETFL, O_NONBLOCK);

  // The state goes out inside the wait loop, so the timeout also bounds a hook that never
  // reads a large state.
  std::string_view pending = state_json;
  int64_t deadline = hook.timeout ? now_ms() + int64_t(*hook.timeout) * 1000 : -1;
  while (true) {
    if (our_end && pending.empty()) our_end.reset();  // EOF for the hook
    int wait_ms = deadline < 0 ? -1 : static_cast<int>(std::max<int64_t>(0, deadline - now_ms()));
    pollfd pfd[2] = {{child.pidfd.get(), POLLIN, 0}, {our_end ? our_end.get() : -1, POLLOUT, 0}};
    int r = ::poll(pfd, 2, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      ::syscall(SYS_pidfd_send_signal, child.pidfd.get(), SIGKILL, nullptr, 0);
      (void)sys::wait_exit_code(child.pid);
      return Error(ErrorCode::kUnavailable,
                   "timed out after " + std::to_string(*hook.timeout) + "s");
    }
    if (pfd[0].revents & POLLIN) break;
    if (our_end && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::send(our_end.get(), pending.data(), pending.size(), MSG_NOSIGNAL);
      if (n > 0) {
        pending.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        pending = {};  // the hook closed its stdin: it does not want the state
      }
    }
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
