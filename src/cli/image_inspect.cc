// hako image inspect: Docker's JSON array (4-space indent), or --format per image.
#include "cli/commands.h"
#include "format/render.h"
#include "image/inspect.h"

namespace hako::cli {
namespace {

struct Options {
  std::vector<std::string> names;
  std::string format;
};

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  json::Value all = json::Value::array();
  std::optional<Error> missing;
  for (const auto& n : o.names) {
    auto rec = store.resolve(n);
    if (!rec) {
      // Docker prints what it found and fails at the end, naming what it did not.
      if (!missing) missing = std::move(rec).error();
      continue;
    }
    HAKO_TRY_ASSIGN(auto loaded, store.load(*rec));
    std::vector<std::string> lowers;
    if (!rec->layers.empty()) {
      auto dirs = store.layers().lower_dirs(rec->layers.back().chain_id);
      if (dirs) lowers = std::move(*dirs);
    }
    all.push_back(image::inspect_json(loaded, lowers));
  }
  HAKO_TRY(print_inspected(ctx, all, o.format));
  if (missing) return std::move(*missing);
  return ok();
}

}  // namespace

void add_image_inspect(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd =
      parent.add_subcommand("inspect", "Display detailed information on one or more images");
  cmd->add_option("-f,--format", opts->format, "Format output using a Go template");
  cmd->add_option("image", opts->names, "IMAGE")->required();
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
