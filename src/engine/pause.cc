#include "engine/pause.h"

#include "runtime/lifecycle.h"

namespace hako::engine {

Status pause(const Engine& eng, const ContainerRecord& c) {
  LiveState live = eng.state_of(c.id);
  if (live.status == "paused")
    return failed_precondition("Container " + c.id + " is already paused");
  if (live.status == "restarting")
    return failed_precondition("Container " + c.id +
                               " is restarting, wait until the container is running");
  if (live.status != "running") return failed_precondition("Container " + c.id + " is not running");
  return runtime::pause_container(runtime_root(eng.state()), c.id);
}

Status unpause(const Engine& eng, const ContainerRecord& c) {
  LiveState live = eng.state_of(c.id);
  if (live.status != "paused") return failed_precondition("Container " + c.id + " is not paused");
  return runtime::resume_container(runtime_root(eng.state()), c.id);
}

}  // namespace hako::engine
