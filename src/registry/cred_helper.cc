#include "registry/cred_helper.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

#include "base/unique_fd.h"
#include "json/reader.h"

extern char** environ;

namespace hako::registry {
namespace {

constexpr size_t kMaxOutput = 64 << 10;
constexpr int kDeadlineMs = 30'000;

bool is_plain_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// Writes `input` to the child's stdin, reads its stdout to the end (bounded, with a deadline),
// and returns its exit status with the output.
Result<std::pair<int, std::string>> run_helper(const std::string& program, const char* verb,
                                               const std::string& input) {
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return sys_error("pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return sys_error("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  const char* argv[] = {program.c_str(), verb, nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, program.c_str(), &fa, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return Error::from_errno(rc, "run " + program).context("credential helper (is it on PATH?)");
  in_r.reset();
  out_w.reset();
  // The input is a line or a small JSON; a helper that does not read it only gets EPIPE here.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  (void)!::write(in_w.get(), input.data(), input.size());
  ::sigaction(SIGPIPE, &old, nullptr);
  in_w.reset();
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeadlineMs);
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{out_r.get(), POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) == 0) {
      timed_out = true;
      break;
    }
    char buf[4096];
    ssize_t n = ::read(out_r.get(), buf, sizeof buf);
    if (n <= 0) break;
    if (output.size() + static_cast<size_t>(n) > kMaxOutput) break;
    output.append(buf, static_cast<size_t>(n));
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return Error(ErrorCode::kUnavailable, program + " " + verb + ": no answer within " +
                                              std::to_string(kDeadlineMs / 1000) + " s");
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return std::pair(code, std::move(output));
}

constexpr std::string_view kTokenUser = "<token>";

bool is_not_found(const std::string& output) {
  return output.find("credentials not found") != std::string::npos || output.empty();
}

std::string first_line(const std::string& output) { return output.substr(0, output.find('\n')); }

Result<std::string> program_for(const std::string& helper) {
  if (!is_plain_name(helper))
    return invalid_argument("credential helper \"" + helper + "\" is not a plain name");
  return "docker-credential-" + helper;
}

}  // namespace

Result<std::optional<std::string>> find_credential_helper(std::string_view text,
                                                          std::string_view domain,
                                                          std::string_view what) {
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(text, what));
  HAKO_TRY(json::require_object(doc, what));
  std::map<std::string, std::string> helpers;
  std::string store;
  HAKO_TRY(json::read_field(doc, what, "credHelpers", helpers));
  HAKO_TRY(json::read_field(doc, what, "credsStore", store));
  std::string name;
  for (const auto& [key, helper] : helpers)
    if (normalise_server(key) == normalise_server(domain)) name = helper;
  if (name.empty()) name = store;
  if (name.empty()) return std::optional<std::string>();
  if (!is_plain_name(name))
    return invalid_argument(std::string(what) + ": credential helper \"" + name +
                            "\" is not a plain name (docker-credential-NAME on PATH)");
  return std::optional<std::string>(name);
}

Result<std::optional<Credentials>> helper_get(const std::string& helper,
                                              const std::string& server) {
  HAKO_TRY_ASSIGN(std::string program, program_for(helper));
  HAKO_TRY_ASSIGN(auto result, run_helper(program, "get", server + "\n"));
  auto& [code, output] = result;
  if (code != 0) {
    // The helpers' own words for "none stored"; anything else is a real failure.
    if (is_not_found(output)) return std::optional<Credentials>();
    return Error(ErrorCode::kUnavailable, program + " get " + server + ": " + first_line(output));
  }
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(output, program + " output"));
  HAKO_TRY(json::require_object(doc, program + " output"));
  Credentials c;
  HAKO_TRY(json::read_field(doc, program + " output", "Username", c.username));
  HAKO_TRY(json::read_field(doc, program + " output", "Secret", c.password));
  if (c.username == kTokenUser) {
    c.username.clear();
    c.identity_token = std::move(c.password);
    c.password.clear();
  }
  if (c.username.empty() && c.identity_token.empty()) return std::optional<Credentials>();
  return std::optional<Credentials>(std::move(c));
}

Status helper_store(const std::string& helper, const std::string& server, const Credentials& c) {
  HAKO_TRY_ASSIGN(std::string program, program_for(helper));
  bool token = !c.identity_token.empty();
  json::Value doc = {{"ServerURL", server},
                     {"Username", token ? std::string(kTokenUser) : c.username},
                     {"Secret", token ? c.identity_token : c.password}};
  HAKO_TRY_ASSIGN(auto result, run_helper(program, "store", doc.dump()));
  auto& [code, output] = result;
  if (code != 0)
    return Error(ErrorCode::kUnavailable,
                 program + " store " + server + ": " +
                     (output.empty() ? "exit status " + std::to_string(code) : first_line(output)));
  return ok();
}

Result<bool> helper_erase(const std::string& helper, const std::string& server) {
  HAKO_TRY_ASSIGN(std::string program, program_for(helper));
  HAKO_TRY_ASSIGN(auto result, run_helper(program, "erase", server + "\n"));
  auto& [code, output] = result;
  if (code == 0) return true;
  if (is_not_found(output)) return false;
  return Error(ErrorCode::kUnavailable, program + " erase " + server + ": " + first_line(output));
}

}  // namespace hako::registry
