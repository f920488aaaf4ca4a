// The events a container's shim records (event_log.h): "start" at each start (the first and
// each restart by the policy), "oom" and "die" (with exitCode and execDuration, as Docker) at
// each exit, "health_status: healthy|unhealthy" when the health changes; "attach" and
// "resize" (height, width) for its clients; an exec's "exec_create: CMD", "exec_start: CMD"
// and "exec_die" (execID, exitCode), for `hako exec` and for each health probe, as Docker;
// each volume's "mount" before a start and "unmount" after
// an exit (Actor: the volume). Failing to record one is logged, never fatal: the container
// matters more than its history.
// Stateless; one thread (the shim's loop).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "shim/shim_config.h"

namespace hako::shim {

// Appends the container event `action` with the config's attributes plus `extra`; nothing
// when the config names no root.
void record_event(const ShimConfig& c, std::string_view action, Logger& log,
                  const std::map<std::string, std::string>& extra = {});

// Docker's action of an exec event that names the command: "exec_start: sh -c ls" (its
// entrypoint, a space, and the arguments joined by spaces, as dockerd builds it).
std::string exec_action(std::string_view action, const std::vector<std::string>& args);

// A new exec's id, 64 hex digits like a container's (a health probe's execID; `hako exec`
// picks its own).
std::string new_exec_id();

// action "mount" or "unmount" for each of the config's volume_mounts, with Docker's
// attributes (driver, container; mount adds destination, read/write, propagation).
void record_volume_events(const ShimConfig& c, std::string_view action, Logger& log);

// The exit's events: "oom" first when the kernel killed it, then "die".
void record_exit(const ShimConfig& c, int exit_code, bool oom_killed, int64_t ran_ns, Logger& log);

}  // namespace hako::shim
