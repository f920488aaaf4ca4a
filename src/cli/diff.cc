// hako diff CONTAINER: Docker's "C /etc", "A /etc/new", "D /etc/old" lines (engine/diff.h).
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/diff.h"

namespace hako::cli {

void add_diff(CLI::App& parent, Context& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = parent.add_subcommand("diff",
                                        "Inspect changes to files or directories on a container's "
                                        "filesystem");
  cmd->add_option("container", *name, "CONTAINER")->required();
  cmd->callback([&ctx, name] {
    ctx.status = [&]() -> Status {
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      return for_each_container(
          ctx, eng, {*name}, [&](const engine::ContainerRecord& c, const std::string&) -> Status {
            HAKO_TRY_ASSIGN(auto changes, engine::container_changes(eng, c));
            std::string out;
            for (const auto& ch : changes) out += std::string(1, ch.kind) + " " + ch.path + "\n";
            return print(ctx.out, out);
          });
    }();
  });
}

}  // namespace hako::cli
