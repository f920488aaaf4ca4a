// hako tag SOURCE TARGET.
#include "cli/commands.h"
#include "engine/container_events.h"

namespace hako::cli {
namespace {

// Docker's "tag" event: the image's id, name = the new reference in its familiar form.
void record_tag_event(const std::string& root, image::ImageStore& store, std::string target) {
  auto rec = store.resolve(target);
  if (!rec) return;
  size_t slash = target.rfind('/');
  if (target.find('@') == std::string::npos &&
      target.find(':', slash == std::string::npos ? 0 : slash) == std::string::npos)
    target += ":latest";
  engine::record_image_event(root, store, "tag", rec->id.to_string(), target);
}

}  // namespace

void add_tag(CLI::App& parent, Context& ctx) {
  auto args = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* cmd =
      parent.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  cmd->add_option("source", args->first, "SOURCE_IMAGE[:TAG]")->required();
  cmd->add_option("target", args->second, "TARGET_IMAGE[:TAG]")->required();
  cmd->callback([&ctx, args] {
    auto store = ctx.open_store();
    ctx.status = store ? store->tag(args->first, args->second) : Status(std::move(store).error());
    if (ctx.status) record_tag_event(ctx.root, *store, args->second);
  });
}

}  // namespace hako::cli
