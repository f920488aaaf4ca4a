// hako run / create / start, with Docker's flags (run_flags.h) and exit codes: 125 when hako
// fails, 126/127 when the command cannot be run, else the container's own code.
#include <unistd.h>

#include <memory>

#include "cli/attach_session.h"
#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/run_flags.h"
#include "engine/container_events.h"
#include "engine/shim_client.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

constexpr int kHakoFailed = 125;

// Until networks are built (a later issue): none (the default) and host only, never a flag
// silently ignored.
Status check_network(const RunFlags& f) {
  for (const auto& n : f.network)
    if (n != "none" && n != "host" && n != "default" && n != "bridge")
      return not_implemented("--network " + n +
                             ": networks are not yet supported (use none or host)");
  if (!f.publish.empty() || f.publish_all)
    return not_implemented(
        "-p/--publish: port publishing is not yet supported (it needs "
        "networks; use --network host)");
  return ok();
}

// Docker's --pull: the image is looked up locally, pulled when missing (or always).
Status ensure_image(Context& ctx, engine::Engine& eng, const std::string& image,
                    const RunFlags& f) {
  if (f.pull != "missing" && f.pull != "always" && f.pull != "never")
    return invalid_argument("invalid pull option: '" + f.pull +
                            "': must be one of \"always\", \"missing\" or \"never\"");
  bool present = eng.images().resolve(image).has_value();
  if (f.pull == "never" && !present) return not_found("No such image: " + image);
  if (present && f.pull != "always") return ok();
  if (!present) HAKO_TRY(print(ctx.err, "Unable to find image '" + image + "' locally\n"));
  return pull_for_run(ctx, eng.images(), image, f.platform);
}

struct Prepared {
  engine::Created created;
  engine::Engine eng;
};

Result<Prepared> prepare(Context& ctx, const RunFlags& f, const Positionals& pos,
                         bool keep_mounted) {
  HAKO_TRY(check_network(f));
  HAKO_TRY_ASSIGN(json::Value body, to_create_body(f, pos.image, pos.command));
  if (!f.cidfile.empty() && sys::exists(f.cidfile))
    return Error(ErrorCode::kAlreadyExists,
                 "container ID file found, make sure the other container isn't running or "
                 "delete " +
                     f.cidfile);
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY(ensure_image(ctx, eng, pos.image, f));
  HAKO_TRY_ASSIGN(engine::Created created, eng.create(body, f.name, keep_mounted));
  if (!f.cidfile.empty()) {
    Status s = sys::write_file_atomic(f.cidfile, created.record.id, 0644);
    if (!s) {
      (void)eng.remove(created.record, true, true);
      return std::move(s).error().context("write the container ID file");
    }
  }
  return Prepared{std::move(created), std::move(eng)};
}

bool wants(const RunFlags& f, const char* stream) {
  if (f.attach.empty()) return true;
  for (const auto& a : f.attach)
    if (strcasecmp(a.c_str(), stream) == 0) return true;
  return false;
}

Status run_command(Context& ctx, const RunFlags& f, const std::vector<std::string>& rest) {
  ctx.exit_code = kHakoFailed;
  HAKO_TRY_ASSIGN(Positionals pos, split_positionals(rest, "run"));
  if (f.tty && f.interactive && !f.detach && !::isatty(STDIN_FILENO)) {
    ctx.exit_code = 1;
    return invalid_argument("the input device is not a TTY");
  }
  HAKO_TRY_ASSIGN(Prepared p, prepare(ctx, f, pos, true));
  const engine::ContainerRecord& c = p.created.record;
  engine::StartFailure failure;
  if (f.detach) {
    auto conn = p.eng.start(c, std::nullopt, std::move(p.created.rootfs), &failure);
    if (!conn) {
      ctx.exit_code = failure.code;
      if (f.rm) (void)p.eng.remove(c, true, true);
      return std::move(conn).error();
    }
    ctx.exit_code = 0;
    return print(ctx.out, c.id + "\n");
  }
  bool with_stdin = f.interactive && wants(f, "stdin");
  json::Value first = {{"stdin", with_stdin},
                       {"stdout", wants(f, "stdout")},
                       {"stderr", wants(f, "stderr")},
                       {"remove", f.rm}};
  auto conn = p.eng.start(c, first, std::move(p.created.rootfs), &failure);
  if (!conn) {
    ctx.exit_code = failure.code;
    if (f.rm) (void)p.eng.remove(c, true, true);
    return std::move(conn).error();
  }
  AttachOptions ao;
  ao.stdin = with_stdin;
  ao.tty = f.tty;
  ao.sig_proxy = f.sig_proxy;
  if (!f.detach_keys.empty()) ao.detach_keys = f.detach_keys;
  HAKO_TRY_ASSIGN(std::optional<int> code, relay(conn->get(), ao));
  if (!code) {
    engine::record_container_event(p.eng.root(), c, "detach");
    ctx.exit_code = 0;
    return ok();
  }
  // The shim unmounts and clears the runtime's state before it reports the exit; once the
  // connection closes it has gone, and nothing of the container is in use.
  engine::wait_for_close(conn->get());
  if (f.rm) HAKO_TRY(p.eng.remove(c, true, true));
  ctx.exit_code = *code;
  return ok();
}

Status create_command(Context& ctx, const RunFlags& f, const std::vector<std::string>& rest) {
  ctx.exit_code = kHakoFailed;
  HAKO_TRY_ASSIGN(Positionals pos, split_positionals(rest, "create"));
  HAKO_TRY_ASSIGN(Prepared p, prepare(ctx, f, pos, false));
  ctx.exit_code = 0;
  return print(ctx.out, p.created.record.id + "\n");
}

struct StartOptions {
  bool attach = false;
  bool interactive = false;
  std::string detach_keys;
  std::vector<std::string> containers;
};

Status start_command(Context& ctx, const StartOptions& o) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  if ((o.attach || o.interactive) && o.containers.size() > 1)
    return invalid_argument("you cannot start and attach multiple containers at once");
  Status all;
  for (const auto& name : o.containers) {
    auto c = eng.containers().resolve(name);
    if (!c) {
      (void)print(ctx.err, "Error response from daemon: " + c.error().message() + "\n");
      all = failed_precondition("Error: failed to start containers: " + name);
      continue;
    }
    engine::LiveState live = eng.state_of(c->id);
    if (live.status == "running" || live.status == "paused" || live.status == "restarting") {
      if (!o.attach) HAKO_TRY(print(ctx.out, name + "\n"));
      continue;
    }
    const json::Value& config = c->definition["Config"];
    bool tty = config.value("Tty", false);
    bool open_stdin = config.value("OpenStdin", false);
    if (o.attach || o.interactive) {
      json::Value first = {
          {"stdin", o.interactive && open_stdin}, {"stdout", true}, {"stderr", true}};
      engine::StartFailure failure;
      auto conn = eng.start(*c, first, {}, &failure);
      if (!conn) {
        ctx.exit_code = failure.code;
        return std::move(conn).error();
      }
      AttachOptions ao;
      ao.stdin = o.interactive && open_stdin;
      ao.tty = tty;
      if (!o.detach_keys.empty()) ao.detach_keys = o.detach_keys;
      HAKO_TRY_ASSIGN(std::optional<int> code, relay(conn->get(), ao));
      if (code) {
        engine::wait_for_close(conn->get());
        ctx.exit_code = *code;
      } else {
        engine::record_container_event(eng.root(), *c, "detach");
      }
      return ok();
    }
    auto conn = eng.start(*c, std::nullopt);
    if (!conn) {
      (void)print(ctx.err, "Error response from daemon: " + conn.error().message() + "\n");
      all = failed_precondition("Error: failed to start containers: " + name);
      continue;
    }
    HAKO_TRY(print(ctx.out, name + "\n"));
  }
  return all;
}

}  // namespace

void add_run(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = parent.add_subcommand("run", "Create and run a new container from an image");
  add_run_flags(*cmd, *flags, true);
  cmd->callback([&ctx, flags, cmd] { ctx.status = run_command(ctx, *flags, cmd->remaining()); });
}

void add_create(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = parent.add_subcommand("create", "Create a new container");
  add_run_flags(*cmd, *flags, false);
  cmd->callback([&ctx, flags, cmd] { ctx.status = create_command(ctx, *flags, cmd->remaining()); });
}

void add_start(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<StartOptions>();
  CLI::App* cmd = parent.add_subcommand("start", "Start one or more stopped containers");
  cmd->add_flag("-a,--attach", o->attach, "Attach STDOUT/STDERR and forward signals");
  cmd->add_flag("-i,--interactive", o->interactive, "Attach container's STDIN");
  cmd->add_option("--detach-keys", o->detach_keys, "Override the key sequence for detaching");
  cmd->add_option("container", o->containers, "CONTAINER")->required();
  cmd->callback([&ctx, o] { ctx.status = start_command(ctx, *o); });
}

}  // namespace hako::cli
