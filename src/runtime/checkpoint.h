// checkpoint and restore: a running container's process tree saved to disk by CRIU and brought
// back later, as runc's `checkpoint` and `restore`. hako runs the criu binary's command line
// (see criu_args.h for why not its RPC), so criu must be installed; `criu check` tells whether
// CRIU works on the running kernel at all. Failures name criu's own first error line and its
// log file. Each call is one operation under the container's lock; nothing is kept in memory.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/log.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "runtime/criu_args.h"

namespace hako::runtime {

struct CheckpointOptions {
  std::string root;  // state root
  std::string id;
  std::string criu = "criu";  // the binary (PATH lookup), --criu
  std::string image_path;     // default ./checkpoint, as runc
  std::string work_path;      // default: the image path (the log stays with the images)
  bool leave_running = false;
  bool pre_dump = false;
  CriuFlags flags;
};

// A running (or paused) container → images. Without --leave-running (and not a pre-dump) the
// container is gone afterwards, deleted as by `delete` (cgroups, state, poststop hooks).
Status checkpoint_container(const CheckpointOptions& options, Logger& log);

struct RestoreOptions {
  std::string root;
  std::string id;
  std::string bundle;
  std::string criu = "criu";
  std::string image_path;  // default ./checkpoint
  std::string work_path;   // default: the image path
  std::string pid_file;
  std::string console_socket;
  CriuFlags flags;
};

struct RestoredContainer {
  pid_t pid = 0;
};

// images + the bundle's config.json → a running container ID (a new id, or the old one after
// its checkpoint removed it): state dir, the config's cgroups (criu's process joins them, so the
// restored tree lands there), the restored init a child of the caller (for a foreground
// `restore`). On failure nothing is left: no state, cgroup or process.
Result<RestoredContainer> restore_container(const RestoreOptions& options, Logger& log);

}  // namespace hako::runtime
