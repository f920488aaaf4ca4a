// hako import: a rootfs tarball (file or -) as a one-layer image, with -c/--change.
#include <fcntl.h>
#include <unistd.h>

#include "archive/reader.h"
#include "cli/commands.h"
#include "engine/container_events.h"
#include "image/import.h"
#include "oci/platform.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct Options {
  std::string source, reference, message, platform;
  std::vector<std::string> changes;
};

Status run(Context& ctx, const Options& o) {
  image::ImportOptions opts;
  opts.changes = o.changes;
  opts.message = o.message;
  opts.source = o.source;
  if (!o.reference.empty()) {
    HAKO_TRY_ASSIGN(auto ref, oci::parse_reference(o.reference));
    opts.reference = ref.to_string();
  }
  if (!o.platform.empty()) {
    HAKO_TRY_ASSIGN(opts.platform, oci::parse_platform(o.platform));
  }
  if (o.source.find("://") != std::string::npos)
    return not_implemented("import from a URL is not supported yet: download it and give the file");
  UniqueFd file;
  int fd = STDIN_FILENO;
  if (o.source != "-") {
    HAKO_TRY_ASSIGN(file, sys::open_path(o.source, O_RDONLY));
    fd = file.get();
  } else if (::isatty(STDIN_FILENO)) {
    return invalid_argument("import from stdin, but stdin is a terminal: give a file or redirect");
  }
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  archive::FdReader reader(fd);
  auto rec = image::import_rootfs(store, reader, opts);
  if (!rec) return std::move(rec).error().context("import " + o.source);
  engine::record_image_event(ctx.root, store, "import", rec->id.to_string(), rec->id.to_string());
  return print(ctx.out, rec->id.to_string() + "\n");
}

}  // namespace

void add_import(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(
      "import", "Import the contents from a tarball to create a filesystem image");
  cmd->add_option("-c,--change", opts->changes, "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", opts->message, "Set commit message for imported image");
  cmd->add_option("--platform", opts->platform, "Set platform if server is multi-platform capable");
  cmd->add_option("file", opts->source, "file|-")->required();
  cmd->add_option("reference", opts->reference, "REPOSITORY[:TAG]");
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
