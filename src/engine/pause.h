// pause / unpause: freeze and thaw every process of a running container through its cgroup
// freezer (the runtime's pause_container / resume_container), with dockerd's checks and
// messages. The shim is not involved: a frozen container's state is read from the freezer,
// so `ps` shows "Up … (Paused)" without the shim knowing. One thread.
#pragma once

#include "base/result.h"
#include "engine/engine.h"

namespace hako::engine {

// kFailedPrecondition "Container <id> is not running" / "... is already paused".
Status pause(const Engine& eng, const ContainerRecord& c);
// kFailedPrecondition "Container <id> is not paused".
Status unpause(const Engine& eng, const ContainerRecord& c);

}  // namespace hako::engine
