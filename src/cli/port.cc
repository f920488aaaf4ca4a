// hako port CONTAINER [PRIVATE_PORT[/PROTO]]: the container's published ports. hako publishes
// none yet (bridge networks and -p come with the networking issue), so the list is empty and
// a named port is Docker's "No public port" error.
#include <memory>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/engine_access.h"

namespace hako::cli {
namespace {

struct Options {
  std::string container, port;
};

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  auto c = eng.containers().resolve(o.container);
  // The docker CLI's own wording for an inspect that found nothing.
  if (!c) return Error(c.error().code(), "Error: " + c.error().message());
  if (o.port.empty()) return ok();
  std::string port = o.port, proto = "tcp";
  if (size_t slash = port.find('/'); slash != std::string::npos) {
    if (slash + 1 < port.size()) proto = port.substr(slash + 1);
    port = port.substr(0, slash);
  }
  // nat.NewPort: a port or a range of them.
  std::string first = port.substr(0, port.find('-'));
  std::string last = port.find('-') == std::string::npos ? first : port.substr(port.find('-') + 1);
  for (const auto& p : {first, last}) {
    auto n = parse_uint64(p);
    if (!n || *n > 65535)
      return invalid_argument("strconv.ParseUint: parsing \"" + p + "\": invalid syntax");
  }
  return failed_precondition("Error: No public port '" + port + "/" + proto + "' published for " +
                             o.container);
}

}  // namespace

void add_port(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd =
      parent.add_subcommand("port", "List port mappings or a specific mapping for the container");
  cmd->add_option("container", o->container, "CONTAINER")->required();
  cmd->add_option("port", o->port, "PRIVATE_PORT[/PROTO]");
  cmd->callback([&ctx, o] {
    ctx.status = run(ctx, *o);
    // The docker CLI's lines are complete as they are ("Error: …"): no "hako: " before them.
    if (!ctx.status && !ctx.status.error().message().empty()) {
      (void)print(ctx.err, ctx.status.error().message() + "\n");
      ctx.status = failed_precondition("");
    }
  });
}

}  // namespace hako::cli
