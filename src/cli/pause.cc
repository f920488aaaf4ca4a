// hako pause / unpause CONTAINER...: freeze and thaw all processes of containers; prints each
// name as typed, Docker's "Error response from daemon: …" line for each failure.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/pause.h"

namespace hako::cli {
namespace {

void add(CLI::App& parent, Context& ctx, const char* name, const char* help, bool pause) {
  auto containers = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("container", *containers, "CONTAINER")->required();
  cmd->callback([&ctx, containers, pause] {
    ctx.status = [&]() -> Status {
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      return for_each_container(
          ctx, eng, *containers,
          [&](const engine::ContainerRecord& c, const std::string& typed) -> Status {
            HAKO_TRY(pause ? engine::pause(eng, c) : engine::unpause(eng, c));
            return print(ctx.out, typed + "\n");
          });
    }();
  });
}

}  // namespace

void add_pause(CLI::App& parent, Context& ctx) {
  add(parent, ctx, "pause", "Pause all processes within one or more containers", true);
}
void add_unpause(CLI::App& parent, Context& ctx) {
  add(parent, ctx, "unpause", "Unpause all processes within one or more containers", false);
}

}  // namespace hako::cli
