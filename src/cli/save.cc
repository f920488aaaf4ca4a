// hako save: images to a docker-archive (default) or an OCI layout tar, to -o FILE or stdout.
// -o is written to a temp file and renamed when complete, so a failed or killed save never
// leaves a truncated archive under the name asked for (docker does leave one).
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "archive/reader.h"
#include "cli/commands.h"
#include "engine/container_events.h"
#include "image/save.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct Options {
  std::string output, format = "docker-archive";
  std::vector<std::string> names;
};

Status run(Context& ctx, const Options& o) {
  image::SaveFormat fmt;
  if (o.format == "docker-archive" || o.format == "docker") {
    fmt = image::SaveFormat::kDockerArchive;
  } else if (o.format == "oci" || o.format == "oci-archive") {
    fmt = image::SaveFormat::kOci;
  } else {
    return invalid_argument("invalid --format \"" + o.format + "\": use docker-archive or oci");
  }
  if (o.output.empty() && ::isatty(STDOUT_FILENO))
    return invalid_argument(
        "cowardly refusing to save to a terminal: use the -o flag or redirect stdout");
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  // Docker's "save" event, once per image saved, after the archive is whole.
  auto record = [&](const Status& st) {
    if (!st) return;
    std::set<std::string> ids;
    for (const auto& n : o.names)
      if (auto rec = store.resolve(n)) ids.insert(rec->id.to_string());
    for (const auto& id : ids) engine::record_image_event(ctx.root, store, "save", id, id);
  };
  if (o.output.empty()) {
    archive::FdWriter out(STDOUT_FILENO);
    Status st = image::save_images(store, o.names, fmt, out);
    record(st);
    return st;
  }
  std::string temp = o.output + ".hako-tmp-" + std::to_string(::getpid());
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(temp, O_WRONLY | O_CREAT | O_EXCL, 0644));
  archive::FdWriter out(fd.get());
  Status st = image::save_images(store, o.names, fmt, out);
  if (st && ::fsync(fd.get()) != 0) st = sys_error("fsync " + temp);
  if (st && ::rename(temp.c_str(), o.output.c_str()) != 0) st = sys_error("rename to " + o.output);
  if (!st) ::unlink(temp.c_str());
  record(st);
  return st;
}

}  // namespace

void add_save(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("save", "Save one or more images to a tar archive");
  cmd->add_option("-o,--output", opts->output, "Write to a file, instead of STDOUT");
  cmd->add_option("--format", opts->format, "docker-archive (default) or oci");
  cmd->add_option("image", opts->names, "IMAGE")->required();
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
