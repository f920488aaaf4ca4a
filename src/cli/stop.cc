// hako stop / restart [-t N] [-s SIGNAL] CONTAINER...: the stop signal, then SIGKILL after
// the timeout (the container's StopTimeout, else 10 s); prints each name as typed.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/container_events.h"

namespace hako::cli {
namespace {

struct Options {
  int timeout = -1;
  std::vector<std::string> containers;
};

Status stop_all(Context& ctx, const Options& o, bool restart) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  return for_each_container(
      ctx, eng, o.containers,
      [&](const engine::ContainerRecord& c, const std::string& typed) -> Status {
        HAKO_TRY(eng.stop(c, o.timeout));
        if (restart) HAKO_TRY(eng.start(c, std::nullopt));
        if (restart) engine::record_container_event(eng.root(), c, "restart");
        return print(ctx.out, typed + "\n");
      });
}

void add(CLI::App& parent, Context& ctx, const char* name, const char* help, bool restart) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("-t,--time", o->timeout, "Seconds to wait before killing the container");
  cmd->add_option("container", o->containers, "CONTAINER")->required();
  cmd->callback([&ctx, o, restart] { ctx.status = stop_all(ctx, *o, restart); });
}

}  // namespace

void add_stop(CLI::App& parent, Context& ctx) {
  add(parent, ctx, "stop", "Stop one or more running containers", false);
}
void add_restart(CLI::App& parent, Context& ctx) {
  add(parent, ctx, "restart", "Restart one or more containers", true);
}

}  // namespace hako::cli
