#include "runtime/foreground.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/scope_exit.h"
#include "base/unique_fd.h"
#include "sys/process.h"

namespace hako::runtime {

namespace {

constexpr int kForwarded[] = {SIGHUP,  SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
                              SIGUSR2, SIGWINCH, SIGCONT, SIGALRM};

bool copy_some(int from, int to) {
  char buf[16384];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += w;
  }
  return true;
}

void copy_window_size(int console) {
  winsize ws{};
  if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) ::ioctl(console, TIOCSWINSZ, &ws);
}

}  // namespace

void block_forwarded_signals() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : kForwarded) sigaddset(&mask, s);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
}

Result<int> wait_in_foreground(pid_t pid, int console) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : kForwarded) sigaddset(&mask, s);
  sigaddset(&mask, SIGCHLD);
  sigset_t old;
  if (::sigprocmask(SIG_BLOCK, &mask, &old) != 0) return sys_error("block signals");
  ScopeExit restore([&] { ::sigprocmask(SIG_SETMASK, &old, nullptr); });
  UniqueFd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC));
  if (!sigfd) return sys_error("signalfd");

  termios saved{};
  bool raw = false;
  if (console >= 0 && ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
    termios t = saved;
    ::cfmakeraw(&t);
    raw = ::tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
    copy_window_size(console);
  }
  ScopeExit restore_tty([&] {
    if (raw) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  });

  bool stdin_open = console >= 0;
  bool console_open = console >= 0;
  while (true) {
    // Reap first: the loop ends when our process is gone, after draining its output.
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      while (console_open && copy_some(console, STDOUT_FILENO)) {
      }
      return sys::exit_code_from_status(status);
    }
    if (r < 0 && errno != EINTR) return sys_error("wait for the container");
    pollfd fds[3] = {{sigfd.get(), POLLIN, 0},
                     {stdin_open ? STDIN_FILENO : -1, POLLIN, 0},
                     {console_open ? console : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) return sys_error("poll");
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      if (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGWINCH && console >= 0) {
          copy_window_size(console);
        } else if (sig != SIGCHLD) {
          ::kill(pid, sig);
        }
      }
    }
    if (fds[1].revents & (POLLIN | POLLHUP)) stdin_open = copy_some(STDIN_FILENO, console);
    if (fds[2].revents & (POLLIN | POLLHUP)) console_open = copy_some(console, STDOUT_FILENO);
  }
}

}  // namespace hako::runtime
