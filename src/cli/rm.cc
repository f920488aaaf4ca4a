// hako rm [-f] [-v] CONTAINER...: a running container only with -f (killed first).
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"

namespace hako::cli {

void add_rm(CLI::App& parent, Context& ctx, const char* name) {
  struct Options {
    bool force = false;
    bool volumes = false;
    std::vector<std::string> containers;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(name, "Remove one or more containers");
  cmd->add_flag("-f,--force", o->force, "Force the removal of a running container (uses SIGKILL)");
  cmd->add_flag("-v,--volumes", o->volumes,
                "Remove anonymous volumes associated with the container");
  cmd->add_option("container", o->containers, "CONTAINER")->required();
  cmd->callback([&ctx, o] {
    ctx.status = [&]() -> Status {
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      return for_each_container(
          ctx, eng, o->containers,
          [&](const engine::ContainerRecord& c, const std::string& typed) -> Status {
            HAKO_TRY(eng.remove(c, o->force, o->volumes));
            return print(ctx.out, typed + "\n");
          });
    }();
  });
}

}  // namespace hako::cli
