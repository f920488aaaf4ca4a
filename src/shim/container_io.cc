#include "shim/container_io.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <sstream>

#include "runtime/create.h"
#include "runtime/exec.h"
#include "runtime/state.h"
#include "sys/file.h"

namespace hako::shim {
namespace {

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error("pipe");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Puts fds onto 0, 1, 2 (dup2 clears O_CLOEXEC on the copies, so the runtime's child inherits
// them) and, on destruction, /dev/null back.
class StdioSwap {
 public:
  StdioSwap(int in, int out, int err) {
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
  }
  ~StdioSwap() {
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0) return;
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    ::close(null);
  }
  StdioSwap(const StdioSwap&) = delete;
  StdioSwap& operator=(const StdioSwap&) = delete;
};

struct Plumbing {
  ProcessIo io;
  UniqueFd child_in, child_out, child_err;
};

Result<Plumbing> plumb(bool terminal, bool with_stdin) {
  Plumbing p;
  HAKO_TRY_ASSIGN(UniqueFd null, sys::open_path("/dev/null", O_RDWR));
  if (terminal) {
    // The init's stdio becomes the pty slave; until then it needs valid fds.
    p.child_in.reset(::dup(null.get()));
    p.child_out.reset(::dup(null.get()));
    p.child_err = std::move(null);
    return p;
  }
  if (with_stdin) {
    HAKO_TRY_ASSIGN(Pipe in, make_pipe());
    p.child_in = std::move(in.read);
    p.io.stdin_w = std::move(in.write);
  } else {
    p.child_in = std::move(null);
  }
  HAKO_TRY_ASSIGN(Pipe out, make_pipe());
  HAKO_TRY_ASSIGN(Pipe err, make_pipe());
  p.child_out = std::move(out.write);
  p.io.stdout_r = std::move(out.read);
  p.child_err = std::move(err.write);
  p.io.stderr_r = std::move(err.read);
  return p;
}

uint64_t counter_in(const std::string& text, std::string_view key) {
  std::istringstream in(text);
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

}  // namespace

Result<ProcessIo> start_init(const ShimConfig& c, Logger& log) {
  HAKO_TRY_ASSIGN(Plumbing p, plumb(c.tty, c.open_stdin));
  runtime::CreateOptions o;
  o.root = c.runtime_root;
  o.id = c.id;
  o.bundle = c.bundle;
  o.start_immediately = true;
  o.keep_console = c.tty;
  Result<runtime::CreatedContainer> created = [&] {
    StdioSwap swap(p.child_in.get(), p.child_out.get(), p.child_err.get());
    return runtime::create_container(o, log);
  }();
  if (!created) return std::move(created).error();
  p.io.pid = created->pid;
  p.io.console = std::move(created->console);
  return std::move(p.io);
}

Result<ProcessIo> start_exec(const ShimConfig& c, const oci::Process& process, bool with_stdin,
                             int own_pid_ns, Logger& log) {
  HAKO_TRY_ASSIGN(Plumbing p, plumb(process.terminal, with_stdin));
  runtime::ExecOptions o;
  o.root = c.runtime_root;
  o.id = c.id;
  o.keep_console = process.terminal;
  Result<runtime::ExecedProcess> execed = [&] {
    StdioSwap swap(p.child_in.get(), p.child_out.get(), p.child_err.get());
    return runtime::exec_in_container(o, process, log);
  }();
  if (own_pid_ns >= 0 && ::setns(own_pid_ns, CLONE_NEWPID) != 0)
    log.error("return to the shim's pid namespace: " + std::string(strerror(errno)));
  if (!execed) return std::move(execed).error();
  p.io.pid = execed->pid;
  p.io.console = std::move(execed->console);
  return std::move(p.io);
}

int start_failure_code(const Error& e) {
  const std::string& m = e.message();
  if (m.find("executable file not found") != std::string::npos ||
      m.find("no such file or directory") != std::string::npos)
    return 127;
  if (m.find("permission denied") != std::string::npos) return 126;
  return 125;
}

uint64_t oom_kills(const std::string& runtime_root, const std::string& id) {
  auto state = runtime::load_state(runtime_root, id);
  if (!state) return 0;
  for (const auto& cg : state->cgroups) {
    if (cg.hierarchy.empty()) {
      auto text = sys::read_file(cg.path + "/memory.events", 4096);
      if (text) {
        uint64_t n = counter_in(*text, "oom_kill");
        if (n) return n;
      }
    } else if (cg.hierarchy.find("memory") != std::string::npos) {
      auto text = sys::read_file(cg.path + "/memory.oom_control", 4096);
      if (text) return counter_in(*text, "oom_kill");
    }
  }
  return 0;
}

}  // namespace hako::shim
