// hako wait CONTAINER...: blocks until each stops, prints its exit code.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"

namespace hako::cli {

void add_wait(CLI::App& parent, Context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = parent.add_subcommand(
      "wait", "Block until one or more containers stop, then print their exit codes");
  cmd->add_option("container", *names, "CONTAINER")->required();
  cmd->callback([&ctx, names] {
    ctx.status = [&]() -> Status {
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      return for_each_container(
          ctx, eng, *names, [&](const engine::ContainerRecord& c, const std::string&) -> Status {
            HAKO_TRY_ASSIGN(int code, eng.wait(c));
            return print(ctx.out, std::to_string(code) + "\n");
          });
    }();
  });
}

}  // namespace hako::cli
