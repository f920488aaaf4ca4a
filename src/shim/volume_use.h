// VolumeUse: one process's share of a volume that is mounted while containers use it (the
// local driver's type/device/o options: a tmpfs, a bind of a host directory). Docker mounts
// such a volume at its first use and unmounts it when the last container using it stops;
// hako has no daemon to count, so the count is kept by the kernel, in flock(2) locks on
// <volume dir>/mount.lock:
//   - every user (a shim whose container runs, a CLI starting one) holds a shared lock;
//   - whoever mounts takes <volume dir>/mount.mutex exclusively first, so two starters do
//     not mount twice;
//   - a user that is done drops its shared lock and then tries an exclusive one without
//     waiting: getting it means nobody else uses the volume, and it unmounts <dir>/_data
//     while holding it (a starter waits for its shared lock meanwhile, then mounts afresh).
// A killed holder's lock goes with its process, so a volume never stays "in use" forever;
// its mount stays until the next user's end, `hako rm` or `hako volume rm`
// (unmount_unused_volume).
//
// Ownership: a VolumeUse owns its lock fd (O_CLOEXEC, so neither the shim nor the container
// it starts inherits it across exec); moving is fine, destruction releases. One thread.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::shim {

class VolumeUse {
 public:
  VolumeUse() = default;
  VolumeUse(VolumeUse&&) noexcept = default;
  VolumeUse& operator=(VolumeUse&& other) noexcept;
  ~VolumeUse() { release(); }

  // A share of the volume in dir (<root>/volumes/<name>); waits while a last user unmounts.
  static Result<VolumeUse> hold(const std::string& dir);

  // Calls mount(dir + "/_data") unless it is mounted already, under mount.mutex.
  Status ensure_mounted(const std::function<Status(const std::string& data)>& mount);

  // Drops the share; the last user unmounts _data. Best effort: a failure stays for
  // unmount_unused_volume.
  void release();

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  UniqueFd lock_;
};

// Unmounts dir/_data if it is mounted and nobody holds a share (what a killed shim left).
// kFailedPrecondition when a user still holds one.
Status unmount_unused_volume(const std::string& dir);

}  // namespace hako::shim
