// The events the engine's verbs record in the events log (shim/event_log.h):
// container create, kill, stop, destroy, restart, pause, unpause, rename, update, top,
// commit, archive-path/extract-to-dir (cp), detach/exec_detach (the shim records start, die,
// oom, attach, resize, the exec_* and the volumes' mount/unmount itself); volume create and
// destroy; image pull, push, tag, untag, delete, load, import, save (from the CLI). Each
// carries Docker's Actor attributes: the image as the user typed it, the name, and the
// container's labels (the image's merged with --label, as Docker's). Recording is best
// effort: a verb never fails because its event could not be written.
// Stateless functions; one thread.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "engine/containers.h"
#include "image/store.h"

namespace hako::engine {

// Any event: Docker's message of `type` (image, volume, ...) for the Actor `id`.
void record_event(const std::string& root, std::string_view type, std::string_view action,
                  std::string_view id, const std::map<std::string, std::string>& attributes);

// Docker's image event: Actor.ID `id` (a reference for pull and push, else the image's id),
// attributes the image's labels (when `id` resolves in store) and "name".
void record_image_event(const std::string& root, image::ImageStore& store, std::string_view action,
                        const std::string& id, const std::string& name);

// {"image": ..., "name": ..., <label>: <value>...}, Docker's container event attributes.
std::map<std::string, std::string> event_attributes(const ContainerRecord& c);

void record_container_event(const std::string& root, const ContainerRecord& c,
                            std::string_view action,
                            const std::map<std::string, std::string>& extra = {});

// Docker's "kill" of a stop: the container's stop signal (SIGKILL when timeout is 0), as a
// number ("signal": "15").
void record_stop_signal(const std::string& root, const ContainerRecord& c, int timeout);

}  // namespace hako::engine
