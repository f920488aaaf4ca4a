// ScopeExit: runs a rollback action when the scope ends, unless dismissed.
//
// Use it to make multi-step operations transactional: arm a guard after each step that
// creates something outliving the process (a state dir, a cgroup, a host mount), and
// dismiss() them all once the whole operation has succeeded.
#pragma once

#include <utility>

namespace hako {

template <typename F>
class [[nodiscard]] ScopeExit {
 public:
  explicit ScopeExit(F fn) : fn_(std::move(fn)) {}
  ScopeExit(ScopeExit&& other) noexcept
      : fn_(std::move(other.fn_)), armed_(std::exchange(other.armed_, false)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ScopeExit& operator=(ScopeExit&&) = delete;
  ~ScopeExit() {
    if (armed_) fn_();
  }
  void dismiss() { armed_ = false; }

 private:
  F fn_;
  bool armed_ = true;
};

}  // namespace hako
