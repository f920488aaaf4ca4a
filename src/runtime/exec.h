// Running another process in an existing container (`exec`): join all of the init's
// namespaces (user first) and its cgroups, then set up the process as the spec says.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/log.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::runtime {

struct ExecOptions {
  std::string root;
  std::string id;
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  bool keep_console = false;  // foreground with a terminal: the caller relays the pty
};

struct ExecedProcess {
  pid_t pid = 0;
  UniqueFd console;
};

// The container's process spec: the base for `exec` with inline arguments (runc does the same).
Result<oci::Process> container_process_template(const std::string& root, const std::string& id);

Result<ExecedProcess> exec_in_container(const ExecOptions& options, const oci::Process& process,
                                        Logger& log);

}  // namespace hako::runtime
