// hako commit [-a AUTHOR] [-m MSG] [-c INSTRUCTION]... [-p=false] CONTAINER [REPOSITORY[:TAG]]
// Prints the new image's id ("sha256:…"), as Docker does. The work is engine/commit.h.
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/commit.h"

namespace hako::cli {

void add_commit(CLI::App& parent, Context& ctx) {
  struct Options {
    engine::CommitOptions commit;
    std::string container, reference;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("commit", "Create a new image from a container's changes");
  cmd->add_option("-a,--author", o->commit.author,
                  "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  cmd->add_option("-c,--change", o->commit.changes,
                  "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", o->commit.message, "Commit message");
  cmd->add_flag("-p,--pause{true},!--no-pause", o->commit.pause,
                "Pause container during commit (default true)")
      ->default_str("true");
  cmd->add_option("container", o->container, "CONTAINER")->required();
  cmd->add_option("repository", o->reference, "REPOSITORY[:TAG]");
  cmd->callback([&ctx, o] {
    ctx.status = [&]() -> Status {
      if (!o->reference.empty()) o->commit.reference = o->reference;
      HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
      return for_each_container(
          ctx, eng, {o->container},
          [&](const engine::ContainerRecord& c, const std::string&) -> Status {
            HAKO_TRY_ASSIGN(image::ImageRecord rec, engine::commit_container(eng, c, o->commit));
            return print(ctx.out, rec.id.to_string() + "\n");
          });
    }();
  });
}

}  // namespace hako::cli
