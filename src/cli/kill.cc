// hako kill [-s SIGNAL] CONTAINER...: Docker's default is SIGKILL.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "sys/process.h"

namespace hako::cli {

void add_kill(CLI::App& parent, Context& ctx) {
  struct Options {
    std::string signal = "KILL";
    std::vector<std::string> containers;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("kill", "Kill one or more running containers");
  cmd->add_option("-s,--signal", o->signal, "Signal to send to the container");
  cmd->add_option("container", o->containers, "CONTAINER")->required();
  cmd->callback([&ctx, o] {
    ctx.status = [&]() -> Status {
      HAKO_TRY_ASSIGN(int sig, sys::parse_signal(o->signal));
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      return for_each_container(
          ctx, eng, o->containers,
          [&](const engine::ContainerRecord& c, const std::string& typed) -> Status {
            HAKO_TRY(eng.kill(c, sig));
            return print(ctx.out, typed + "\n");
          });
    }();
  });
}

}  // namespace hako::cli
