// LayerLock: an exclusive flock on <root>/layers/.lock-<chain hex>, held by whoever unpacks or
// removes that layer, so two processes never write or delete the same layer at once and
// cleanup() can tell a live staging or trash directory from crash debris (the kernel drops
// the lock when its holder dies, kill -9 included).
//
// The lock file is unlinked by its holder on release, so locks leave nothing behind. That is
// safe because acquire() re-checks, after flock returns, that the locked inode is still the
// one at the path; a waiter that locked an unlinked file starts over.
//
// Internal to the snapshot module. Move-only; one thread at a time.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::snapshot {

class LayerLock {
 public:
  // Blocks until the lock is held.
  static Result<LayerLock> acquire(int dir_fd, const std::string& name);
  // nullopt if someone else holds it.
  static Result<std::optional<LayerLock>> try_acquire(int dir_fd, const std::string& name);

  LayerLock(LayerLock&&) noexcept = default;
  LayerLock& operator=(LayerLock&&) = delete;
  LayerLock(const LayerLock&) = delete;
  ~LayerLock();

 private:
  LayerLock(int dir_fd, std::string name, UniqueFd fd)
      : dir_fd_(dir_fd), name_(std::move(name)), fd_(std::move(fd)) {}
  // The locked fd; an invalid one if !wait and someone else holds it.
  static Result<UniqueFd> lock(int dir_fd, const std::string& name, bool wait);

  int dir_fd_;
  std::string name_;
  UniqueFd fd_;
};

}  // namespace hako::snapshot
