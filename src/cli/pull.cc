// hako pull [-q] [--platform P] [-a] NAME[:TAG|@DIGEST], with Docker's output:
//   Using default tag: latest
//   latest: Pulling from library/busybox
//   a307d6a4d3f6: Pulling fs layer ... Download complete ... Pull complete
//   Digest: sha256:…
//   Status: Downloaded newer image for busybox:latest     (or: Image is up to date for …)
//   docker.io/library/busybox:latest
// Progress is printed as lines, terminal or not (no progress bars yet).
#include <mutex>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/registry_session.h"
#include "engine/container_events.h"
#include "oci/platform.h"
#include "registry/pull.h"

namespace hako::cli {
namespace {

struct Options {
  std::string name;
  std::string platform;
  bool quiet = false;
  bool all_tags = false;
};

Status pull_one(Context& ctx, image::ImageStore& store, const registry::Session& session,
                const oci::Reference& ref, const Options& o, const registry::PullOptions& po) {
  std::string shown = ref.digest ? ref.digest->to_string() : ref.tag;
  std::string repo = ref.familiar_name();
  // Docker names the repository without its registry here ("test/busybox").
  std::string path = ref.domain == oci::kDefaultDomain ? ref.path : ref.path;
  if (!o.quiet) HAKO_TRY(print(ctx.out, shown + ": Pulling from " + path + "\n"));
  auto r = registry::pull(store, session, ref, po);
  if (!r) return std::move(r).error().context("pull " + ref.familiar_string());
  // Docker's pull event names the reference, not the image id.
  engine::record_image_event(ctx.root, store, "pull", ref.familiar_string(), ref.familiar_name());
  if (o.quiet) return print(ctx.out, ref.to_string() + "\n");
  std::string text = "Digest: " + r->repo_digest.to_string() + "\n";
  text +=
      (r->up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ") +
      ref.familiar_string() + "\n";
  text += ref.to_string() + "\n";
  return print(ctx.out, text);
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
  std::mutex mu;
  if (!o.quiet)
    po.progress = [&](std::string_view id, std::string_view status) {
      std::lock_guard lock(mu);
      (void)print(ctx.out, std::string(id) + ": " + std::string(status) + "\n");
    };
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  auto session = open_registry_session(ref.domain);
  if (!session) return std::move(session).error().context("pull " + ref.familiar_string());
  if (!o.all_tags) {
    if (as_written.tag.empty() && !as_written.digest && !o.quiet)
      HAKO_TRY(print(ctx.out, "Using default tag: latest\n"));
    return pull_one(ctx, store, *session, ref, o, po);
  }
  auto tags = registry::list_tags(*session, ref.path);
  if (!tags) return std::move(tags).error().context("pull " + as_written.familiar_name());
  for (const auto& t : *tags) {
    oci::Reference each = ref;
    each.tag = t;
    HAKO_TRY(pull_one(ctx, store, *session, each, o, po));
  }
  return ok();
}

}  // namespace

Status pull_for_run(Context& ctx, image::ImageStore& store, const std::string& name,
                    const std::string& platform) {
  HAKO_TRY_ASSIGN(oci::Reference ref, oci::parse_reference(name));
  Options o;
  o.name = name;
  o.platform = platform;
  registry::PullOptions po;
  if (!platform.empty()) {
    HAKO_TRY_ASSIGN(po.platform, oci::parse_platform(platform));
  }
  std::mutex mu;
  po.progress = [&](std::string_view id, std::string_view status) {
    std::lock_guard lock(mu);
    (void)print(ctx.err, std::string(id) + ": " + std::string(status) + "\n");
  };
  auto session = open_registry_session(ref.domain);
  if (!session) return std::move(session).error().context("pull " + ref.familiar_string());
  // Docker's run prints the pull on stderr: stdout is the container's.
  Context quiet = ctx;
  quiet.out = ctx.err;
  return pull_one(quiet, store, *session, ref, o, po);
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
