// hako tag SOURCE TARGET.
#include "cli/commands.h"

namespace hako::cli {

void add_tag(CLI::App& parent, Context& ctx) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* cmd =
      parent.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  cmd->add_option("source", args->first, "SOURCE_IMAGE[:TAG]")->required();
  cmd->add_option("target", args->second, "TARGET_IMAGE[:TAG]")->required();
  cmd->callback([&ctx, args] {
    auto store = ctx.open_store();
    ctx.status = store ? store->tag(args->first, args->second) : Status(std::move(store).error());
  });
}

}  // namespace hako::cli
