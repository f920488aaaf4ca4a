// hako pull [-q] [--platform P] [-a] NAME[:TAG|@DIGEST], with Docker's output:
//   Using default tag: latest
//   latest: Pulling from library/busybox
//   a307d6a4d3f6: Pulling fs layer ... Download complete ... Pull complete
//   Digest: sha256:…
//   Status: Downloaded newer image for busybox:latest     (or: Image is up to date for …)
//   docker.io/library/busybox:latest
// On a terminal the layer lines are redrawn in place with Docker's bars (cli/progress_view.h).
#include "registry/pull.h"

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/progress_view.h"
#include "cli/registry_session.h"
#include "engine/container_events.h"
#include "oci/platform.h"

namespace hako::cli {
namespace {

struct Options {
  std::string name;
  std::string platform;
  bool quiet = false;
  bool all_tags = false;
};

// `shown`: where the progress goes; none with --quiet, which prints only the reference.
Status pull_one(Context& ctx, image::ImageStore& store, const registry::Session& session,
                const oci::Reference& ref, const registry::PullOptions& po,
                ProgressPrinter* shown) {
  std::string tag = ref.digest ? ref.digest->to_string() : ref.tag;
  // Docker names the repository without its registry here ("test/busybox").
  if (shown) HAKO_TRY(shown->line(tag + ": Pulling from " + ref.path));
  auto r = registry::pull(store, session, ref, po);
  if (!r) return std::move(r).error().context("pull " + ref.familiar_string());
  // Docker's pull event names the reference, not the image id.
  engine::record_image_event(ctx.root, store, "pull", ref.familiar_string(), ref.familiar_name());
  if (!shown) return print(ctx.out, ref.to_string() + "\n");
  HAKO_TRY(shown->line("Digest: " + r->repo_digest.to_string()));
  HAKO_TRY(shown->line(
      (r->up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ") +
      ref.familiar_string()));
  return shown->line(ref.to_string());
}

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(oci::Reference as_written, oci::parse_reference(o.name, oci::DefaultTag::kNone));
  if (o.all_tags && (!as_written.tag.empty() || as_written.digest))
    return invalid_argument("pull: a tag or digest can't be used with --all-tags/-a");
  HAKO_TRY_ASSIGN(oci::Reference ref, oci::parse_reference(o.name));
  registry::PullOptions po;
  if (!o.platform.empty()) {
    HAKO_TRY_ASSIGN(po.platform, oci::parse_platform(o.platform));
  }
  ProgressPrinter printer(ctx.out);
  ProgressPrinter* shown = o.quiet ? nullptr : &printer;
  if (shown) po.progress = printer.callback();
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  auto session = open_registry_session(ref.domain);
  if (!session) return std::move(session).error().context("pull " + ref.familiar_string());
  if (!o.all_tags) {
    if (as_written.tag.empty() && !as_written.digest && shown)
      HAKO_TRY(shown->line("Using default tag: latest"));
    return pull_one(ctx, store, *session, ref, po, shown);
  }
  auto tags = registry::list_tags(*session, ref.path);
  if (!tags) return std::move(tags).error().context("pull " + as_written.familiar_name());
  for (const auto& t : *tags) {
    oci::Reference each = ref;
    each.tag = t;
    HAKO_TRY(pull_one(ctx, store, *session, each, po, shown));
  }
  return ok();
}

}  // namespace

Status pull_for_run(Context& ctx, image::ImageStore& store, const std::string& name,
                    const std::string& platform) {
  HAKO_TRY_ASSIGN(oci::Reference ref, oci::parse_reference(name));
  registry::PullOptions po;
  if (!platform.empty()) {
    HAKO_TRY_ASSIGN(po.platform, oci::parse_platform(platform));
  }
  // Docker's run prints the pull on stderr: stdout is the container's.
  ProgressPrinter printer(ctx.err);
  po.progress = printer.callback();
  auto session = open_registry_session(ref.domain);
  if (!session) return std::move(session).error().context("pull " + ref.familiar_string());
  return pull_one(ctx, store, *session, ref, po, &printer);
}

void add_pull(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("pull", "Download an image from a registry");
  cmd->add_option("name", opts->name, "NAME[:TAG|@DIGEST]")->required();
  cmd->add_flag("-a,--all-tags", opts->all_tags, "Download all tagged images in the repository");
  cmd->add_option("--platform", opts->platform, "Set platform if server is multi-platform capable");
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress verbose output");
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
