// Creating a container: the parent side of container setup (create, and the first half of
// run). Validates the bundle, makes the state dir and cgroups, clones the init and steers it
// through the SyncChannel protocol (sync_channel.h), runs the runtime-side hooks, and records
// the state. On any failure everything made so far is removed: no state dir, cgroup or
// process is left behind.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/log.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::runtime {

struct CreateOptions {
  std::string root;  // state root, e.g. /run/hako-runtime
  std::string id;
  std::string bundle;
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  // run: the init execs as soon as it is ready instead of waiting on exec.fifo for `start`.
  bool start_immediately = false;
  // run in the foreground with a terminal: keep the pty master instead of sending it away.
  bool keep_console = false;
};

struct CreatedContainer {
  pid_t pid = 0;
  UniqueFd pidfd;
  UniqueFd console;  // pty master when keep_console
};

Result<CreatedContainer> create_container(const CreateOptions& options, Logger& log);

}  // namespace hako::runtime
