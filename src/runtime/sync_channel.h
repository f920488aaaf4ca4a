// The parent↔child channel of container creation: one SOCK_SEQPACKET socket pair, typed
// messages (first byte the type, the rest a payload), fds attached with SCM_RIGHTS where a
// message carries one. Errors in the child cross back as kError messages; the child then
// _exits. One object per end; not thread safe.
//
//  parent (create/run/exec)                    child (container init)
//  clone3 ──────────────────────────────────▶ [two-stage: join ns by path, unshare, fork init]
//                        ◀── kUserNs          [new user ns created in a second stage]
//  write uid/gid maps ── kMapsDone ──▶
//                        ◀── kInitPid         [two-stage: the host pid of the real init]
//   ── kIdmapMount{fd} ──▶ (one per idmapped mount; payload: mounts[] index or "rootfs")
//                                             [no new user ns: joins its cgroups itself]
//  [new user ns: write pid to cgroups (~10 ms)] mounts, /dev (in parallel with that wait)
//   ── kCgroupDone ──▶                         unshare cgroup ns; cgroup mounts
//                        ◀── kHooks           [only if prestart/createRuntime hooks exist]
//  run them ── kHooksDone ──▶                 createContainer hooks, pivot_root, finish rootfs
//                        ◀── kConsole{fd}     [process.terminal: the pty master]
//  send it to listenerPath ◀── kSeccompListener{fd} [SCMP_ACT_NOTIFY in the profile]
//                        ◀── kReady           user, caps, seccomp done; waits for `start`
//  save state, exit                            exec.fifo → startContainer hooks → execve
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::runtime {

enum class SyncMessage : char {
  kError = 'E',
  kUserNs = 'U',
  kMapsDone = 'M',
  kInitPid = 'P',
  kIdmapMount = 'I',
  kCgroupDone = 'C',
  kHooks = 'H',
  kHooksDone = 'h',
  kConsole = 'T',
  kSeccompListener = 'S',
  kReady = 'R',
};

struct Received {
  SyncMessage type;
  std::string payload;
  UniqueFd fd;
};

class SyncChannel {
 public:
  explicit SyncChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }

  Status send(SyncMessage type, std::string_view payload = {});
  Status send_with_fd(SyncMessage type, int fd, std::string_view payload = {});
  // Receives the next message. A closed peer is an error ("container init exited...").
  Result<Received> receive();
  // Receives and requires `type`; a kError from the peer becomes this call's error.
  Result<Received> expect(SyncMessage type);

 private:
  UniqueFd fd_;
};

}  // namespace hako::runtime
