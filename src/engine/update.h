// update: new resource limits (and restart policy) for an existing container, as Docker's
// ContainerUpdate. The changes are Docker's UpdateConfig fields with HostConfig's names
// (Memory, MemorySwap, MemoryReservation, NanoCpus, CpuShares, CpuPeriod, CpuQuota,
// CpusetCpus, CpusetMems, PidsLimit, BlkioWeight, RestartPolicy). They go to three places:
//   - the running container's cgroups, at once (runtime::update_container), when it runs;
//   - the definition's Create.HostConfig, so inspect shows them and the next start uses them;
//   - config.json's linux.resources, which the next start hands to the runtime.
// A restart policy also goes to the running container's shim (kSetPolicy), which applies it
// from the container's next exit on, as Docker does; a stopped container keeps it for its
// next start.
// One thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"
#include "json/reader.h"

namespace hako::engine {

// The warnings Docker would print (a setting this kernel cannot apply and that was dropped).
// Errors carry dockerd's messages ("Cannot update container <id>: ...").
Result<std::vector<std::string>> update(Engine& eng, const ContainerRecord& c,
                                        const json::Value& changes);

}  // namespace hako::engine
