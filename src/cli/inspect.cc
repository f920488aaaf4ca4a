// hako inspect [--type container|image] NAME... (a container first, then an image, as
// Docker) and hako container inspect: Docker's JSON array (4-space indent), or --format.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/inspect.h"
#include "format/render.h"
#include "image/inspect.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct Options {
  std::vector<std::string> names;
  std::string format;
  std::string type;   // "" = either
  bool size = false;  // accepted for Docker's scripts; sizes are not computed yet
};

Result<json::Value> inspect_image(engine::Engine& eng, const std::string& name) {
  HAKO_TRY_ASSIGN(auto rec, eng.images().resolve(name));
  HAKO_TRY_ASSIGN(auto loaded, eng.images().load(rec));
  std::vector<std::string> lowers;
  if (!rec.layers.empty()) {
    auto dirs = eng.images().layers().lower_dirs(rec.layers.back().chain_id);
    if (dirs) lowers = std::move(*dirs);
  }
  return image::inspect_json(loaded, lowers);
}

Status run(Context& ctx, const Options& o) {
  if (!o.type.empty() && o.type != "container" && o.type != "image")
    return invalid_argument("\"" + o.type + "\" is not a valid value for --type");
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  json::Value all = json::Value::array();
  std::optional<Error> missing;
  for (const auto& n : o.names) {
    std::optional<json::Value> found;
    if (o.type != "image") {
      auto c = eng.containers().resolve(n);
      if (c) {
        std::optional<json::Value> spec;
        auto text = sys::read_file(eng.paths(c->id).config_json(), 16 << 20);
        if (text) {
          auto parsed = json::parse(*text, "config.json");
          if (parsed) spec = std::move(*parsed);
        }
        found = engine::inspect_container(*c, eng.state_of(c->id), eng.paths(c->id),
                                          spec ? &*spec : nullptr, engine::volumes_dir(eng.root()));
      }
    }
    if (!found && o.type != "container") {
      auto img = inspect_image(eng, n);
      if (img) found = std::move(*img);
    }
    if (!found) {
      if (!missing)
        missing = not_found(o.type == "image" ? "No such image: " + n : "No such object: " + n);
      continue;
    }
    all.push_back(std::move(*found));
  }
  HAKO_TRY(print_inspected(ctx, all, o.format));
  if (missing) return std::move(*missing);
  return ok();
}

}  // namespace

void add_inspect(CLI::App& parent, Context& ctx, bool containers_only) {
  auto o = std::make_shared<Options>();
  if (containers_only) o->type = "container";
  CLI::App* cmd = parent.add_subcommand(
      "inspect", containers_only ? "Display detailed information on one or more containers"
                                 : "Return low-level information on hako objects");
  cmd->add_option("-f,--format", o->format, "Format output using a Go template");
  if (!containers_only) cmd->add_option("--type", o->type, "Return JSON for specified type");
  cmd->add_flag("-s,--size", o->size, "Display total file sizes");
  cmd->add_option("name", o->names, "NAME")->required();
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
