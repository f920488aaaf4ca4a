// The container's init before it becomes the user's process: everything that runs in the
// cloned child. It owns nothing the parent needs back; it reports over the SyncChannel and
// either execs the user's program or _exits.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "oci/spec.h"
#include "runtime/process_setup.h"
#include "runtime/rootfs.h"
#include "runtime/sync_channel.h"

namespace hako::runtime {

struct InitPlan {
  const oci::Spec* spec = nullptr;
  RootfsContext rootfs;
  // Namespaces to join by path, user first: (CLONE_NEW* flag, opened fd).
  std::vector<std::pair<int, UniqueFd>> join;
  uint64_t unshare_flags = 0;  // new namespaces the child creates itself (two-stage path)
  bool new_user_ns = false;
  bool new_cgroup_ns = false;
  bool new_time_ns = false;
  bool two_stage = false;  // joins by path: join, unshare, then fork the real init
  bool no_pivot = false;
  bool new_keyring = true;  // join a fresh session keyring "_ses.<id>" (--no-new-keyring: no)
  std::string id;
  bool terminal = false;
  bool wait_for_start = true;  // create: block on exec.fifo until `start`
  int exec_fifo = -1;          // read end, opened before clone
  // A write end held by the init itself until exec, so a writer that comes and goes without
  // writing cannot leave the read end reporting POLLHUP forever.
  int exec_fifo_writer = -1;
  int preserve_fds = 0;  // fds 3..3+N-1 stay open across exec
  std::function<Result<UniqueFd>()> install_seccomp;
  // Set when the child moves itself into its cgroups (no new user namespace): returns 0 or an
  // errno. Unset: the parent writes our pid and sends kCgroupDone.
  std::function<int()> join_cgroups;
  std::string listener_path;
  // Detached idmapped mounts the parent sends (kIdmapMount) before the rootfs is built.
  size_t idmap_mounts = 0;
};

// Runs in the child; never returns.
[[noreturn]] void run_container_init(InitPlan& plan, SyncChannel& channel);

}  // namespace hako::runtime
