// hako attach [--no-stdin] [--sig-proxy] [--detach-keys K] CONTAINER: the container's stdio
// through its shim, as `docker attach`; exits with the container's code when it ends.
#include <memory>

#include "cli/attach_session.h"
#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/container_events.h"
#include "engine/shim_client.h"

namespace hako::cli {
namespace {

struct Options {
  bool no_stdin = false;
  bool sig_proxy = true;
  std::string detach_keys;
  std::string container;
};

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY_ASSIGN(engine::ContainerRecord c, eng.containers().resolve(o.container));
  engine::LiveState live = eng.state_of(c.id);
  if (live.status == "paused")
    return failed_precondition("You cannot attach to a paused container, unpause it first");
  if (live.status != "running")
    return failed_precondition("You cannot attach to a stopped container, start it first");
  const json::Value& config = c.definition["Config"];
  bool open_stdin = config.value("OpenStdin", false);
  AttachOptions ao;
  ao.stdin = open_stdin && !o.no_stdin;
  ao.tty = config.value("Tty", false);
  ao.sig_proxy = o.sig_proxy;
  if (!o.detach_keys.empty()) ao.detach_keys = o.detach_keys;
  HAKO_TRY_ASSIGN(UniqueFd conn, eng.connect(c.id));
  json::Value req = {{"stdin", ao.stdin}, {"stdout", true}, {"stderr", true}};
  HAKO_TRY(shim::send_msg(conn.get(), shim::Msg::kAttach, req.dump()));
  HAKO_TRY_ASSIGN(std::optional<int> code, relay(conn.get(), ao));
  if (code) ctx.exit_code = *code;
  if (!code) engine::record_container_event(eng.root(), c, "detach");
  return ok();
}

}  // namespace

void add_attach(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(
      "attach", "Attach local standard input, output, and error streams to a running container");
  cmd->add_flag("--no-stdin", o->no_stdin, "Do not attach STDIN");
  cmd->add_option("--sig-proxy", o->sig_proxy, "Proxy all received signals to the process");
  cmd->add_option("--detach-keys", o->detach_keys, "Override the key sequence for detaching");
  cmd->add_option("container", o->container, "CONTAINER")->required();
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
