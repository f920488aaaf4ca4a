// hako push [-q] NAME[:TAG], with Docker's output:
//   Using default tag: latest
//   The push refers to repository [127.0.0.1:5000/test/busybox]
//   a020b24e780b: Preparing
//   a020b24e780b: Pushed                (or: Layer already exists, Mounted from test/a)
//   1: digest: sha256:… size: 527
// On a terminal the layer lines are redrawn in place with Docker's bars (cli/progress_view.h).
#include "registry/push.h"

#include <cstdlib>

#include "cli/commands.h"
#include "cli/progress_view.h"
#include "cli/registry_session.h"
#include "engine/container_events.h"

namespace hako::cli {
namespace {

struct Options {
  std::string name;
  bool quiet = false;
};

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(oci::Reference as_written, oci::parse_reference(o.name, oci::DefaultTag::kNone));
  HAKO_TRY_ASSIGN(oci::Reference ref, oci::parse_reference(o.name));
  if (ref.digest) return invalid_argument("push: give a tag, not a digest: " + o.name);
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  ProgressPrinter shown(ctx.out);
  if (!o.quiet) {
    if (as_written.tag.empty()) HAKO_TRY(shown.line("Using default tag: latest"));
    HAKO_TRY(shown.line("The push refers to repository [" + ref.name() + "]"));
  }
  registry::PushOptions po;
  // HAKO_PUSH_CHUNK_SIZE=BYTES: the chunked-upload threshold (tests use a small one).
  if (const char* env = std::getenv("HAKO_PUSH_CHUNK_SIZE"); env && *env) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(env, &end, 10);
    if (*end != '\0')
      return invalid_argument("HAKO_PUSH_CHUNK_SIZE: not a number of bytes: " + std::string(env));
    po.chunk_size = v;
  }
  if (!o.quiet) po.progress = shown.callback();
  auto session = open_registry_session(ref.domain);
  if (!session) return std::move(session).error().context("push " + ref.familiar_string());
  auto r = registry::push(store, *session, ref, po);
  if (!r) return std::move(r).error().context("push " + ref.familiar_string());
  engine::record_image_event(ctx.root, store, "push", ref.familiar_string(), ref.familiar_name());
  if (o.quiet) return print(ctx.out, ref.to_string() + "\n");
  return shown.line(ref.tag + ": digest: " + r->manifest.to_string() +
                    " size: " + std::to_string(r->size));
}

}  // namespace

void add_push(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("push", "Upload an image to a registry");
  cmd->add_option("name", opts->name, "NAME[:TAG]")->required();
  cmd->add_flag("-q,--quiet", opts->quiet, "Suppress verbose output");
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
