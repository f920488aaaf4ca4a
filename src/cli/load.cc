// hako load: a docker-archive or OCI layout tar from -i FILE or stdin.
#include <fcntl.h>
#include <unistd.h>

#include "archive/reader.h"
#include "cli/commands.h"
#include "engine/container_events.h"
#include "image/load.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct Options {
  std::string input;
  bool quiet = false;
};

Status run(Context& ctx, const Options& o) {
  UniqueFd file;
  int fd = STDIN_FILENO;
  if (!o.input.empty() && o.input != "-") {
    HAKO_TRY_ASSIGN(file, sys::open_path(o.input, O_RDONLY));
    fd = file.get();
  } else if (::isatty(STDIN_FILENO)) {
    return invalid_argument(
        "requested load from stdin, but stdin is a terminal: use -i FILE or redirect stdin");
  }
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  archive::FdReader reader(fd);
  auto loaded = image::load_archive(store, reader);
  if (!loaded)
    return std::move(loaded).error().context("load " + (o.input.empty() ? "from stdin" : o.input));
  std::string text;
  for (const auto& e : *loaded) {
    engine::record_image_event(ctx.root, store, "load", e.id.to_string(), e.id.to_string());
    if (e.refs.empty()) text += "Loaded image ID: " + e.id.to_string() + "\n";
    for (const auto& r : e.refs) text += "Loaded image: " + image::familiar(r) + "\n";
  }
  // -q only quiets progress, as docker's does: the "Loaded image" lines are the result.
  return print(ctx.out, text);
}

}  // namespace

void add_load(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("load", "Load an image from a tar archive or STDIN");
  cmd->add_option("-i,--input", opts->input, "Read from tar archive file, instead of STDIN");
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress the load progress");
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
