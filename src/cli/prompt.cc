#include "cli/prompt.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

namespace hako::cli {
namespace {

constexpr size_t kMaxAnswer = 4096;

// A ^C while echo is off would leave the user's shell without echo: the handler puts the saved
// settings back and dies of the signal as it would have. Signal handlers can reach only
// globals; these are set just for the one read below and cleared after it.
termios g_saved;
volatile sig_atomic_t g_echo_off = 0;

void restore_and_reraise(int sig) {
  if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Echo off for its lifetime, with the signal handlers that undo it.
class EchoOff {
 public:
  EchoOff() {
    if (::tcgetattr(STDIN_FILENO, &g_saved) != 0) return;
    termios quiet = g_saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;  // the Enter still moves to the next line
    struct sigaction sa {};
    sa.sa_handler = restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &sa, &old_[i]);
    g_echo_off = 1;
    // TCSANOW, not TCSAFLUSH: an answer typed ahead is kept, not thrown away.
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0) g_echo_off = 0;
    active_ = true;
  }
  ~EchoOff() {
    if (!active_) return;
    if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved);
    g_echo_off = 0;
    for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &old_[i], nullptr);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[3]{};
  bool active_ = false;
};

}  // namespace

bool can_prompt() { return ::isatty(STDIN_FILENO) == 1; }

Result<std::string> prompt_line(std::FILE* out, const std::string& prompt, bool echo) {
  // Echo goes off before the prompt shows: whoever answers once they see it is not echoed.
  std::optional<EchoOff> quiet;
  if (!echo) quiet.emplace();
  std::fputs(prompt.c_str(), out);
  std::fflush(out);
  std::string line;
  while (true) {
    char c;
    ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read the answer from the terminal");
    if (n == 0) return failed_precondition("no answer: the input ended");
    if (c == '\n') break;
    if (line.size() >= kMaxAnswer) return invalid_argument("the answer is longer than 4 KiB");
    line.push_back(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace hako::cli
