#include "runtime/ps.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/strings.h"
#include "runtime/lifecycle.h"
#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

static std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  for (const auto& f : split(line, ' ')) {
    if (!f.empty()) out.push_back(f);
  }
  return out;
}

Result<std::string> filter_ps_output(std::string_view ps_output, const std::vector<pid_t>& pids) {
  auto lines = split(ps_output, '\n');
  if (lines.empty() || lines[0].empty()) return internal_error("ps printed nothing");
  auto header = fields_of(lines[0]);
  auto it = std::find(header.begin(), header.end(), "PID");
  if (it == header.end())
    return invalid_argument("ps: its output has no PID column; keep pid in the ps arguments");
  size_t index = static_cast<size_t>(it - header.begin());
  std::string out = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    auto f = fields_of(lines[i]);
    if (f.size() <= index) continue;
    auto pid = parse_int64(f[index]);
    if (pid && std::find(pids.begin(), pids.end(), static_cast<pid_t>(*pid)) != pids.end())
      out += lines[i] + "\n";
  }
  return out;
}

// ps's stdout and stderr together (as runc's CombinedOutput); an error on a non-zero exit.
static Result<std::string> run_ps(const std::vector<std::string>& args) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return sys_error("pipe for ps");
  UniqueFd read_end(p[0]), write_end(p[1]);
  std::vector<std::string> argv_text = {"ps"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork for ps");
  if (pid == 0) {
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::dup2(write_end.get(), STDERR_FILENO);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  write_end.reset();
  auto text = sys::read_fd(read_end.get(), 16 << 20);
  HAKO_TRY_ASSIGN(int code, sys::wait_exit_code(pid));
  if (!text) return std::move(text).error().context("read ps output");
  if (code == 127) return not_found("ps: cannot run ps(1); install procps");
  if (code != 0) {
    // One line: ps's usage text would otherwise span the terminal.
    std::string why(trim(*text));
    std::replace(why.begin(), why.end(), '\n', ' ');
    return invalid_argument("ps " + join(args, " ") + " failed (status " + std::to_string(code) +
                            "): " + why);
  }
  return *text;
}

Result<std::string> container_ps_table(const std::string& root, const std::string& id,
                                       const std::vector<std::string>& ps_args) {
  HAKO_TRY_ASSIGN(std::vector<pid_t> pids, container_pids(root, id));
  std::vector<std::string> args = ps_args;
  if (args.empty()) args = {"-ef"};
  HAKO_TRY_ASSIGN(std::string output, run_ps(args));
  return filter_ps_output(output, pids);
}

}  // namespace hako::runtime
