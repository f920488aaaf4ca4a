// What the container commands share: the engine over the Context's store and state, and the
// pull that `run`/`create` do for a missing image.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cli/context.h"
#include "engine/engine.h"

namespace hako::cli {

Result<engine::Engine> open_engine(const Context& ctx);

// `docker run`'s pull of a missing image: Docker's pull lines on stderr.
Status pull_for_run(Context& ctx, image::ImageStore& store, const std::string& name,
                    const std::string& platform);

}  // namespace hako::cli

namespace hako::cli {

// Docker's way with several containers: each one is tried, a failure is printed as
// "Error response from daemon: …" and the command fails at the end (exit 1).
Status for_each_container(
    Context& ctx, engine::Engine& eng, const std::vector<std::string>& names,
    const std::function<Status(const engine::ContainerRecord&, const std::string& as_typed)>& fn);

}  // namespace hako::cli
