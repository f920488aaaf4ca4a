// The events the engine's verbs record in the events log (shim/event_log.h):
// container create, kill, stop, destroy, restart (the shim records start, die and oom itself);
// volume create and destroy; image tag, untag and delete (from the CLI). Each
// carries Docker's Actor attributes: the image as the user typed it, the name, and the
// container's labels (the image's merged with --label, as Docker's). Recording is best
// effort: a verb never fails because its event could not be written.
// Stateless functions; one thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "engine/containers.h"

namespace hako::engine {

// Any event: Docker's message of `type` (image, volume, ...) for the Actor `id`.
void record_event(const std::string& root, std::string_view type, std::string_view action,
                  std::string_view id, const std::map<std::string, std::string>& attributes);

// {"image": ..., "name": ..., <label>: <value>...}, Docker's container event attributes.
std::map<std::string, std::string> event_attributes(const ContainerRecord& c);

void record_container_event(const std::string& root, const ContainerRecord& c,
                            std::string_view action,
                            const std::map<std::string, std::string>& extra = {});

// Docker's "kill" of a stop: the container's stop signal (SIGKILL when timeout is 0), as a
// number ("signal": "15").
void record_stop_signal(const std::string& root, const ContainerRecord& c, int timeout);

}  // namespace hako::engine
