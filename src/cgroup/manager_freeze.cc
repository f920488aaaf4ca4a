// Freezing and thawing a container's processes (pause/resume). v1's freezer reports FREEZING
// until every task has stopped; v2's cgroup.events says "frozen 1" once it has. Both may take a
// moment, so both are polled with a deadline rather than trusted after the write.
#include <unistd.h>

#include <thread>

#include "base/strings.h"
#include "cgroup/control_files.h"
#include "cgroup/manager.h"

namespace hako::cgroup {

int Manager::freezer_index(bool* v2) const {
  int v2_index = -1;
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!fds_[i].valid()) continue;
    if (dirs_[i].hierarchy.empty()) {
      v2_index = static_cast<int>(i);
      continue;
    }
    for (const auto& c : split(dirs_[i].hierarchy, ',')) {
      if (c == "freezer") {
        *v2 = false;
        return static_cast<int>(i);
      }
    }
  }
  *v2 = true;
  return v2_index;
}

static Result<bool> read_frozen(const ControlFiles& files, bool v2) {
  if (v2) {
    HAKO_TRY_ASSIGN(std::string events, files.read("cgroup.events"));
    for (const auto& line : split(events, '\n')) {
      if (line == "frozen 1") return true;
    }
    return false;
  }
  HAKO_TRY_ASSIGN(std::string state, files.read("freezer.state"));
  return trim(state) == "FROZEN";
}

Result<bool> Manager::is_frozen() const {
  bool v2 = false;
  int i = freezer_index(&v2);
  if (i < 0) return false;
  ControlFiles files(fds_[i].get(), dirs_[i].path);
  if (v2 && !files.has("cgroup.freeze")) return false;
  return read_frozen(files, v2);
}

Status Manager::set_frozen(bool frozen, std::chrono::milliseconds timeout) const {
  bool v2 = false;
  int i = freezer_index(&v2);
  if (i < 0) return not_implemented("no freezer cgroup on this host: cannot pause or resume");
  ControlFiles files(fds_[i].get(), dirs_[i].path);
  if (v2 && !files.has("cgroup.freeze"))
    return not_implemented("this kernel's cgroup2 has no cgroup.freeze: cannot pause or resume");
  const char* field = frozen ? "pause" : "resume";
  if (v2) {
    HAKO_TRY(files.write("cgroup.freeze", frozen ? "1" : "0", field));
  } else {
    HAKO_TRY(files.write("freezer.state", frozen ? "FROZEN" : "THAWED", field));
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    HAKO_TRY_ASSIGN(bool now, read_frozen(files, v2));
    if (now == frozen) return ok();
    if (std::chrono::steady_clock::now() > deadline) {
      // Leave it as it was rather than half frozen.
      if (frozen)
        (void)files.write(v2 ? "cgroup.freeze" : "freezer.state", v2 ? "0" : "THAWED", field);
      return Error(ErrorCode::kUnavailable,
                   std::string(field) + ": the kernel did not finish in time");
    }
    // v1 needs the write repeated to make progress past FREEZING (kernel docs, freezer-subsystem).
    if (!v2 && frozen) (void)files.write("freezer.state", "FROZEN", field);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace hako::cgroup
