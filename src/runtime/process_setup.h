// Turning the container's init (or an exec'd process) into the process the spec describes:
// rlimits, oom score, user and groups, capabilities, no_new_privs, seccomp, cwd, umask, then
// execve. Runs in the single-threaded child only, after the rootfs is in place.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::runtime {

struct ProcessContext {
  const oci::Process* process = nullptr;
  // Installs the container's seccomp filter and returns the notify listener fd (invalid if
  // none); empty when the spec has no seccomp section.
  std::function<Result<UniqueFd>()> install_seccomp;
  // Receives the notify listener fd, if any (the init sends it to listenerPath).
  std::function<Status(UniqueFd)> on_listener;
};

// Before the uid switch, while still privileged: rlimits, oom_score_adj.
Status apply_process_limits(const oci::Process& process);

// Resolves args[0] against PATH from the process env (or the default PATH) inside the current
// root; returns the absolute path. Errors as runc words them: "executable file not found".
Result<std::string> find_executable(const oci::Process& process);

// User, groups, capabilities, no_new_privs, seccomp, cwd, umask — in the order the kernel needs.
Status finalize_process(const ProcessContext& ctx);

// apparmorProfile / selinuxLabel need their LSM loaded on the host; a clear error otherwise.
// Checked in the runtime before anything is created.
Status check_lsm_support(const oci::Process& process);
// Whether the host has AppArmor or SELinux enabled: labels are applied only then.
bool host_has_apparmor();
bool host_has_selinux();

// execve with the process's env (HOME added if missing). Returns only on failure.
Error exec_process(const oci::Process& process, const std::string& executable);

}  // namespace hako::runtime
