#include "engine/pause.h"

#include "engine/container_events.h"
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
  HAKO_TRY(runtime::pause_container(runtime_root(eng.state()), c.id));
  record_container_event(eng.root(), c, "pause");
  return ok();
}

Status unpause(const Engine& eng, const ContainerRecord& c) {
  LiveState live = eng.state_of(c.id);
  if (live.status != "paused") return failed_precondition("Container " + c.id + " is not paused");
  HAKO_TRY(runtime::resume_container(runtime_root(eng.state()), c.id));
  record_container_event(eng.root(), c, "unpause");
  return ok();
}

}  // namespace hako::engine
