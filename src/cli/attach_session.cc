#include "cli/attach_session.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>

#include "json/reader.h"
#include "shim/protocol.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

using shim::Msg;

class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void send_size(int conn) {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 && ::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) != 0)
    return;
  json::Value v = {{"rows", ws.ws_row}, {"cols", ws.ws_col}};
  (void)shim::send_msg(conn, Msg::kResize, v.dump());
}

}  // namespace

Result<std::string> parse_detach_keys(const std::string& spec) {
  std::string out;
  size_t start = 0;
  while (start <= spec.size() && !spec.empty()) {
    size_t comma = spec.find(',', start);
    std::string key =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (key.size() == 1) {
      out += key[0];
    } else if (key.rfind("ctrl-", 0) == 0 && key.size() == 6) {
      char c = static_cast<char>(std::tolower(static_cast<unsigned char>(key[5])));
      if (c >= 'a' && c <= 'z') {
        out += static_cast<char>(c - 'a' + 1);
      } else if (c == '@') {
        out += '\0';
      } else if (c == '[' || c == '\\' || c == ']' || c == '^' || c == '_') {
        out += static_cast<char>(c - '@');
      } else {
        return invalid_argument("invalid detach key: " + key);
      }
    } else {
      return invalid_argument("invalid detach keys (" + spec + "): unknown key " + key);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::optional<int>> relay(int conn, const AttachOptions& o) {
  std::string keys;
  if (o.tty && o.stdin && !o.detach_keys.empty()) {
    HAKO_TRY_ASSIGN(keys, parse_detach_keys(o.detach_keys));
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGWINCH);
  if (o.sig_proxy && !o.tty) {
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  }
  sigset_t old;
  ::sigprocmask(SIG_BLOCK, &set, &old);
  int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  UniqueFd signals(sfd);
  struct Restore {
    sigset_t mask;
    ~Restore() { ::sigprocmask(SIG_SETMASK, &mask, nullptr); }
  } restore{old};

  std::optional<RawTerminal> raw;
  if (o.tty && o.stdin && ::isatty(STDIN_FILENO)) raw.emplace(STDIN_FILENO);
  if (o.tty) send_size(conn);

  bool stdin_open = o.stdin;
  size_t matched = 0;  // bytes of the detach sequence seen so far
  std::string payload;
  for (;;) {
    pollfd fds[3] = {{conn, POLLIN, 0}, {signals.get(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    int n = ::poll(fds, stdin_open ? 3 : 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("poll");
    }
    if (fds[0].revents) {
      auto type = shim::recv_msg(conn, &payload);
      if (!type) return internal_error("the container's shim went away before it exited");
      if (*type == Msg::kStdout) {
        HAKO_TRY(sys::write_all(STDOUT_FILENO, payload, "stdout"));
      } else if (*type == Msg::kStderr) {
        HAKO_TRY(sys::write_all(STDERR_FILENO, payload, "stderr"));
      } else if (*type == Msg::kExit) {
        auto v = json::parse(payload, "exit");
        return std::optional<int>(v && v->is_object() ? v->value("code", 0) : 0);
      } else if (*type == Msg::kError) {
        return internal_error(payload);
      }
    }
    if (fds[1].revents) {
      signalfd_siginfo si;
      while (::read(signals.get(), &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGWINCH) {
          if (o.tty) send_size(conn);
          continue;
        }
        json::Value v = {{"signal", si.ssi_signo}};
        (void)shim::send_msg(conn, Msg::kKill, v.dump());
      }
    }
    if (stdin_open && fds[2].revents) {
      char buf[16384];
      ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        stdin_open = false;
        (void)shim::send_msg(conn, Msg::kStdinEof, "");
        continue;
      }
      std::string data(buf, static_cast<size_t>(got));
      if (!keys.empty()) {
        // The detach sequence is swallowed; a partial match that breaks is sent on.
        std::string pass;
        for (char ch : data) {
          if (ch == keys[matched]) {
            if (++matched == keys.size()) return std::optional<int>();
            continue;
          }
          pass.append(keys, 0, matched);
          matched = 0;
          if (ch == keys[0]) {
            matched = 1;
            continue;
          }
          pass += ch;
        }
        data = std::move(pass);
      }
      for (size_t off = 0; off < data.size() && stdin_open; off += shim::kMaxPacket) {
        // The shim closes the connection once it has sent the exit, which may be queued
        // unread behind this poll: stop sending and read it, rather than fail.
        if (!shim::send_msg(conn, Msg::kStdin,
                            std::string_view(data).substr(off, shim::kMaxPacket)))
          stdin_open = false;
      }
    }
  }
}

}  // namespace hako::cli
