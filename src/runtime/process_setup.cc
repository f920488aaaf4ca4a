#include "runtime/process_setup.h"

#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "sys/capabilities.h"
#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

namespace {

struct RlimitName {
  const char* name;
  int resource;
};
constexpr RlimitName kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string env_value(const std::vector<std::string>& env, std::string_view key) {
  for (const auto& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return e.substr(key.size() + 1);
  }
  return {};
}

bool is_executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

Status apply_process_limits(const oci::Process& process) {
  for (const auto& r : process.rlimits) {
    int resource = -1;
    for (const auto& n : kRlimits) {
      if (r.type == n.name) resource = n.resource;
    }
    if (resource < 0) return invalid_argument("process.rlimits: unknown rlimit \"" + r.type + "\"");
    rlimit lim{r.soft, r.hard};
    if (::setrlimit(resource, &lim) != 0) {
      Error e = sys_error("set " + r.type + " to soft " + std::to_string(r.soft) + " hard " +
                          std::to_string(r.hard));
      if (e.sys_errno() == EPERM)
        e.context("raising a hard limit needs CAP_SYS_RESOURCE; lower it in the config");
      return e;
    }
  }
  // Nothing to write when it is already the value (Docker's spec always says 0): in a new user
  // namespace our non-dumpable /proc/self files belong to the host's root, unmapped here.
  if (process.oom_score_adj) {
    std::string want = std::to_string(*process.oom_score_adj);
    auto now = sys::read_file("/proc/self/oom_score_adj", 64);
    if (!(now && *now == want + "\n")) {
      Status s = sys::write_file("/proc/self/oom_score_adj", want);
      if (!s)
        return std::move(s).error().context(
            "set process.oomScoreAdj (a negative value needs CAP_SYS_RESOURCE)");
    }
  }
  return ok();
}

Result<std::string> find_executable(const oci::Process& process) {
  const std::string& name = process.args[0];
  if (name.find('/') != std::string::npos) {
    std::string path = name[0] == '/' ? name : process.cwd + "/" + name;
    if (!is_executable_file(path)) {
      Error e = sys_error("exec: " + name);
      if (::access(path.c_str(), F_OK) == 0)
        e = Error(ErrorCode::kPermissionDenied, "exec: " + name + ": permission denied", EACCES);
      return e;
    }
    return path;
  }
  std::string path_var = env_value(process.env, "PATH");
  if (path_var.empty()) path_var = kDefaultPath;
  for (const auto& dir : split(path_var, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return Error(ErrorCode::kNotFound, "exec: \"" + name + "\": executable file not found in $PATH",
               ENOENT);
}

static Status apply_lsm_labels(const oci::Process& process);

Status finalize_process(const ProcessContext& ctx) {
  const oci::Process& p = *ctx.process;
  sys::CapSets caps;
  if (p.capabilities) {
    HAKO_TRY_ASSIGN(caps.bounding, sys::capability_mask(p.capabilities->bounding,
                                                        "process.capabilities.bounding"));
    HAKO_TRY_ASSIGN(caps.effective, sys::capability_mask(p.capabilities->effective,
                                                         "process.capabilities.effective"));
    HAKO_TRY_ASSIGN(caps.permitted, sys::capability_mask(p.capabilities->permitted,
                                                         "process.capabilities.permitted"));
    HAKO_TRY_ASSIGN(caps.inheritable, sys::capability_mask(p.capabilities->inheritable,
                                                           "process.capabilities.inheritable"));
    HAKO_TRY_ASSIGN(caps.ambient,
                    sys::capability_mask(p.capabilities->ambient, "process.capabilities.ambient"));
  }
  // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN, which the user switch may
  // drop: install it first (runc's order). The filter must then allow the calls that follow.
  if (!p.no_new_privileges && ctx.install_seccomp) {
    HAKO_TRY_ASSIGN(UniqueFd listener, ctx.install_seccomp());
    if (listener && ctx.on_listener) HAKO_TRY(ctx.on_listener(std::move(listener)));
  }
  if (p.capabilities) HAKO_TRY(sys::drop_bounding_capabilities(caps.bounding));
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    return sys_error("keep capabilities across the uid switch");
  std::vector<gid_t> groups(p.user.additional_gids.begin(), p.user.additional_gids.end());
  // setgroups is denied in a user namespace whose setgroups file says "deny"; only fail if we
  // actually have groups to set.
  if (::setgroups(groups.size(), groups.data()) != 0 && !(errno == EPERM && groups.empty()))
    return sys_error("setgroups");
  if (::setresgid(p.user.gid, p.user.gid, p.user.gid) != 0)
    return sys_error("setgid " + std::to_string(p.user.gid));
  if (::setresuid(p.user.uid, p.user.uid, p.user.uid) != 0)
    return sys_error("setuid " + std::to_string(p.user.uid));
  if (p.capabilities) HAKO_TRY(sys::set_capabilities(caps));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return sys_error("clear keep-capabilities");
  if (::chdir(p.cwd.c_str()) != 0)
    return sys_error("chdir to cwd \"" + p.cwd + "\" set in config.json");
  if (p.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return sys_error("set no_new_privs");
  if (p.no_new_privileges && ctx.install_seccomp) {
    HAKO_TRY_ASSIGN(UniqueFd listener, ctx.install_seccomp());
    if (listener && ctx.on_listener) HAKO_TRY(ctx.on_listener(std::move(listener)));
  }
  if (p.user.umask) ::umask(static_cast<mode_t>(*p.user.umask));
  return apply_lsm_labels(p);
}

bool host_has_apparmor() {
  auto text = sys::read_file("/sys/module/apparmor/parameters/enabled", 16);
  return text && starts_with(*text, "Y");
}

bool host_has_selinux() { return sys::exists("/sys/fs/selinux/enforce"); }

Status check_lsm_support(const oci::Process& process) {
  if (!process.apparmor_profile.empty() && !host_has_apparmor())
    return failed_precondition(
        "process.apparmorProfile \"" + process.apparmor_profile +
        "\": AppArmor is not enabled on this host; remove the field or enable AppArmor");
  if (!process.selinux_label.empty() && !host_has_selinux())
    return failed_precondition(
        "process.selinuxLabel \"" + process.selinux_label +
        "\": SELinux is not enabled on this host; remove the field or enable SELinux");
  return ok();
}

// The label takes effect at execve, like runc's "exec" attribute writes.
static Status apply_lsm_labels(const oci::Process& process) {
  if (!process.apparmor_profile.empty()) {
    std::string path = sys::exists("/proc/self/attr/apparmor/exec")
                           ? "/proc/self/attr/apparmor/exec"
                           : "/proc/self/attr/exec";
    HAKO_TRY_CTX(sys::write_file(path, "exec " + process.apparmor_profile),
                 "apply process.apparmorProfile");
  }
  if (!process.selinux_label.empty())
    HAKO_TRY_CTX(sys::write_file("/proc/self/attr/exec", process.selinux_label),
                 "apply process.selinuxLabel");
  return ok();
}

Error exec_process(const oci::Process& process, const std::string& executable) {
  std::vector<std::string> env = process.env;
  if (env_value(env, "HOME").empty()) env.push_back("HOME=/");
  std::vector<char*> argv, envp;
  std::vector<std::string> args = process.args;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  sys::reset_signals();
  ::execve(executable.c_str(), argv.data(), envp.data());
  return sys_error("exec " + executable);
}

}  // namespace hako::runtime
