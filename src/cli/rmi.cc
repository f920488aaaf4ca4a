// hako rmi / hako image rm: Docker's "Untagged:" and "Deleted:" lines, -f.
#include "cli/commands.h"
#include "cli/units.h"
#include "engine/container_events.h"

namespace hako::cli {
namespace {

struct Options {
  std::vector<std::string> names;
  bool force = false;
  bool no_prune = false;
};

std::string report_text(const image::RemoveReport& r) {
  std::string text;
  for (const auto& u : r.untagged) text += "Untagged: " + u + "\n";
  for (const auto& d : r.deleted) text += "Deleted: " + d.to_string() + "\n";
  return text;
}

// Docker's image events of a removal: "untag" per reference, "delete" per image, each with
// the image's id as Actor and name.
void record_removal_events(const std::string& root, image::ImageStore& store, const std::string& id,
                           const image::RemoveReport& r) {
  for (size_t i = 0; i < r.untagged.size(); ++i)
    engine::record_image_event(root, store, "untag", id, id);
  for (const auto& d : r.deleted)
    engine::record_image_event(root, store, "delete", d.to_string(), d.to_string());
}

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  // Docker goes on with the other names and fails at the end; each failure is one line, the
  // last one printed by main().
  std::optional<Error> last;
  for (const auto& n : o.names) {
    auto before = store.resolve(n);
    std::string id = before ? before->id.to_string() : n;
    auto r = store.remove(n, o.force);
    if (!r) {
      if (last) (void)print(ctx.err, "hako: " + last->message() + "\n");
      last = std::move(r).error();
      continue;
    }
    HAKO_TRY(print(ctx.out, report_text(*r)));
    record_removal_events(ctx.root, store, id, *r);
  }
  if (last) return std::move(*last);
  return ok();
}

}  // namespace

void add_rmi(CLI::App& parent, Context& ctx, const char* name) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(name, "Remove one or more images");
  cmd->add_flag("-f,--force", opts->force, "Force removal of the image");
  cmd->add_flag("--no-prune", opts->no_prune, "Do not delete untagged parents");
  cmd->add_option("image", opts->names, "IMAGE")->required();
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

void add_image_prune(CLI::App& parent, Context& ctx) {
  auto all = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  CLI::App* cmd = parent.add_subcommand("prune", "Remove unused images");
  cmd->add_flag("-a,--all", *all, "Remove all unused images, not just dangling ones");
  cmd->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  cmd->callback([&ctx, all, force] {
    // hako asks nothing on a terminal: prune is as safe as rmi (no container holds images yet).
    auto store = ctx.open_store();
    if (!store) {
      ctx.status = std::move(store).error();
      return;
    }
    auto r = store->prune(*all);
    if (!r) {
      ctx.status = std::move(r).error();
      return;
    }
    for (const auto& d : r->deleted)
      engine::record_image_event(ctx.root, *store, "delete", d.to_string(), d.to_string());
    std::string text;
    if (!r->deleted.empty()) text += "Deleted Images:\n" + report_text(*r) + "\n";
    text += "Total reclaimed space: " + human_size(r->reclaimed) + "\n";
    ctx.status = print(ctx.out, text);
  });
}

}  // namespace hako::cli
