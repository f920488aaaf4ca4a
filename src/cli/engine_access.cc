#include "cli/engine_access.h"

namespace hako::cli {

Result<engine::Engine> open_engine(const Context& ctx) {
  return engine::Engine::open(ctx.root, ctx.state, engine::find_executables());
}

}  // namespace hako::cli

namespace hako::cli {

Status for_each_container(
    Context& ctx, engine::Engine& eng, const std::vector<std::string>& names,
    const std::function<Status(const engine::ContainerRecord&, const std::string& as_typed)>& fn) {
  int failed = 0;
  for (const auto& name : names) {
    auto c = eng.containers().resolve(name);
    Status s = c ? fn(*c, name) : Status(std::move(c).error());
    if (!s) {
      ++failed;
      (void)print(ctx.err, "Error response from daemon: " + s.error().message() + "\n");
    }
  }
  // Already reported line by line: an empty message, so main() adds nothing (Docker's exit 1).
  if (failed) return failed_precondition("");
  return ok();
}

}  // namespace hako::cli
