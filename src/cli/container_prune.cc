// hako container prune [-f] [--filter until=…|label=…|label!=…]: removes all stopped
// containers after Docker's prompt (unless -f), and lists their ids.
#include <chrono>
#include <iostream>
#include <memory>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/units.h"
#include "engine/prune.h"

namespace hako::cli {
namespace {

struct Options {
  bool force = false;
  std::vector<std::string> filters;
};

// Docker's prompt: anything but y or Y (an empty line, end of input) cancels.
Result<bool> confirm(Context& ctx) {
  HAKO_TRY(print(ctx.out,
                 "WARNING! This will remove all stopped containers.\n"
                 "Are you sure you want to continue? [y/N] "));
  std::fflush(ctx.out);
  std::string line;
  if (!std::getline(std::cin, line)) return false;
  line = std::string(trim(line));
  return line == "y" || line == "Y";
}

Status run(Context& ctx, const Options& o) {
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto filters = engine::PruneFilters::parse(o.filters, now);
  if (!filters) {
    (void)print(ctx.err, "Error response from daemon: " + filters.error().message() + "\n");
    return failed_precondition("");
  }
  if (!o.force) {
    HAKO_TRY_ASSIGN(bool yes, confirm(ctx));
    if (!yes) return ok();
  }
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY_ASSIGN(engine::PruneReport r, engine::prune_containers(eng, *filters));
  std::string text;
  if (!r.deleted.empty()) text = "Deleted Containers:\n" + join(r.deleted, "\n") + "\n\n";
  text += "Total reclaimed space: " + human_size(static_cast<int64_t>(r.reclaimed)) + "\n";
  return print(ctx.out, text);
}

}  // namespace

void add_container_prune(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("prune", "Remove all stopped containers");
  cmd->add_option("--filter", o->filters, "Provide filter values (e.g. 'until=<timestamp>')")
      ->allow_extra_args(false);
  cmd->add_flag("-f,--force", o->force, "Do not prompt for confirmation");
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
