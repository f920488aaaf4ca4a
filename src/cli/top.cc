// hako top CONTAINER [ps OPTIONS]: the container's processes with their host PIDs, as the
// docker CLI prints dockerd's answer (columns of at least 20, 3 spaces apart).
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/top.h"
#include "format/tabwriter.h"

namespace hako::cli {
namespace {

struct Options {
  std::string container;
  std::vector<std::string> ps_args;
};

// Docker's line for what the daemon refused; main() adds nothing to the empty message.
Status daemon_error(Context& ctx, const Error& e) {
  (void)print(ctx.err, "Error response from daemon: " + e.message() + "\n");
  return failed_precondition("");
}

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  auto c = eng.containers().resolve(o.container);
  if (!c) return daemon_error(ctx, c.error());
  auto table = engine::top(eng, *c, o.ps_args);
  if (!table) return daemon_error(ctx, table.error());
  std::string text;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) text += (i ? "\t" : "") + cells[i];
    text += "\n";
  };
  line(table->titles);
  for (const auto& p : table->processes) line(p);
  return print(ctx.out, format::align_tabs(text, {.min_width = 20, .padding = 3}));
}

}  // namespace

void add_top(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("top", "Display the running processes of a container");
  // CONTAINER [ps OPTIONS]: ps's own flags (-o pid,comm, aux) are not hako's, so parsing
  // stops at the container's name and everything from there is in remaining().
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&ctx, o, cmd] {
    std::vector<std::string> args = cmd->remaining();
    if (args.empty()) {
      ctx.status = invalid_argument("\"top\" requires at least 1 argument");
      return;
    }
    if (args[0].size() > 1 && args[0][0] == '-') {
      ctx.status = invalid_argument("unknown flag: " + args[0]);
      return;
    }
    o->container = args[0];
    o->ps_args.assign(args.begin() + 1, args.end());
    ctx.status = run(ctx, *o);
  });
}

}  // namespace hako::cli
