// hako exec [-d] [-i] [-t] [-e K=V] [--env-file F] [-u USER] [-w DIR] [--privileged]
// CONTAINER COMMAND [ARG...]: the container's shim runs the process (it is the container's
// subreaper); exit codes as Docker's: the process's, 126/127 when it cannot be run, 125 when
// hako fails (the container is not running, say).
#include <memory>

#include "cli/attach_session.h"
#include "cli/commands.h"
#include "cli/docker_opts.h"
#include "cli/engine_access.h"
#include "engine/container_events.h"
#include "engine/docker_defaults.h"
#include "engine/shim_client.h"
#include "engine/user_lookup.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

constexpr int kHakoFailed = 125;

struct Options {
  bool detach = false, interactive = false, tty = false, privileged = false;
  std::vector<std::string> env, env_file;
  std::string user, workdir, detach_keys;
  std::vector<std::string> args;
};

// The exec'd process: the container's own process spec with the command, environment, user
// and directory replaced as the flags say.
Result<json::Value> exec_process(engine::Engine& eng, const engine::ContainerRecord& c,
                                 const Options& o, pid_t init_pid) {
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(eng.paths(c.id).config_json(), 16 << 20));
  HAKO_TRY_ASSIGN(json::Value spec, json::parse(text, "config.json"));
  json::Value p = spec.value("process", json::Value::object());
  p["args"] = o.args;
  p["terminal"] = o.tty;
  std::vector<std::string> extra;
  for (const auto& file : o.env_file) {
    HAKO_TRY_ASSIGN(auto lines, read_kv_file(file, true));
    extra.insert(extra.end(), lines.begin(), lines.end());
  }
  for (const auto& e : o.env) {
    HAKO_TRY_ASSIGN(auto v, validate_env(e));
    if (v) extra.push_back(*v);
  }
  json::Value env = p.value("env", json::Value::array());
  for (const auto& kv : extra) {
    std::string key = kv.substr(0, kv.find('='));
    for (auto it = env.begin(); it != env.end();) {
      std::string e = it->get<std::string>();
      if (e.substr(0, e.find('=')) == key) {
        it = env.erase(it);
      } else {
        ++it;
      }
    }
    env.push_back(kv);
  }
  if (o.tty) {
    bool has_term = false;
    for (const auto& e : env) has_term |= e.get<std::string>().rfind("TERM=", 0) == 0;
    if (!has_term) env.push_back("TERM=xterm");
  }
  p["env"] = env;
  if (!o.workdir.empty()) p["cwd"] = o.workdir;
  if (!o.user.empty()) {
    std::string root = "/proc/" + std::to_string(init_pid) + "/root";
    HAKO_TRY_ASSIGN(engine::ResolvedUser u, engine::resolve_user(root, o.user, {}));
    p["user"] = {{"uid", u.uid}, {"gid", u.gid}, {"additionalGids", u.additional_gids}};
  }
  if (o.privileged) {
    // As run --privileged: the capabilities hako itself holds.
    json::Value caps = engine::all_capabilities();
    p["capabilities"] = {
        {"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"inheritable", caps}};
  }
  return p;
}

Status run(Context& ctx, Options o) {
  ctx.exit_code = kHakoFailed;
  if (o.args.size() < 2) return invalid_argument("\"exec\" requires at least 2 arguments");
  std::string name = o.args.front();
  o.args.erase(o.args.begin());
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY_ASSIGN(engine::ContainerRecord c, eng.containers().resolve(name));
  engine::LiveState live = eng.state_of(c.id);
  if (live.status == "paused")
    return failed_precondition("Container " + c.id +
                               " is paused, unpause the container before exec");
  if (live.status != "running") return failed_precondition("Container " + c.id + " is not running");
  if (!live.shim_alive)
    return failed_precondition("container " + c.name +
                               ": its shim is gone; exec needs it (restart the container)");
  HAKO_TRY_ASSIGN(json::Value process, exec_process(eng, c, o, live.record.pid));
  HAKO_TRY_ASSIGN(UniqueFd conn, eng.connect(c.id));
  // Docker's exec id: the shim's exec events carry it as execID.
  std::string exec_id = engine::new_container_id();
  json::Value req = {
      {"process", process}, {"stdin", o.interactive}, {"detach", o.detach}, {"id", exec_id}};
  HAKO_TRY_ASSIGN(auto reply, engine::shim_call(conn.get(), shim::Msg::kExec, req.dump()));
  if (reply.first == shim::Msg::kError) {
    auto v = json::parse(reply.second, "exec error");
    if (v && v->is_object()) {
      ctx.exit_code = v->value("code", kHakoFailed);
      return failed_precondition(v->value("message", reply.second));
    }
    return failed_precondition(reply.second);
  }
  if (o.detach) {
    ctx.exit_code = 0;
    return ok();
  }
  AttachOptions ao;
  ao.stdin = o.interactive;
  ao.tty = o.tty;
  if (!o.detach_keys.empty()) ao.detach_keys = o.detach_keys;
  HAKO_TRY_ASSIGN(std::optional<int> code, relay(conn.get(), ao));
  ctx.exit_code = code.value_or(0);
  if (!code) engine::record_container_event(eng.root(), c, "exec_detach", {{"execID", exec_id}});
  return ok();
}

}  // namespace

void add_exec(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("exec", "Execute a command in a running container");
  cmd->add_flag("-d,--detach", o->detach, "Detached mode: run command in the background");
  cmd->add_flag("-i,--interactive", o->interactive, "Keep STDIN open even if not attached");
  cmd->add_flag("-t,--tty", o->tty, "Allocate a pseudo-TTY");
  cmd->add_option("-e,--env", o->env, "Set environment variables")->allow_extra_args(false);
  cmd->add_option("--env-file", o->env_file, "Read in a file of environment variables")
      ->allow_extra_args(false);
  cmd->add_option("-u,--user", o->user, "Username or UID (format: <name|uid>[:<group|gid>])");
  cmd->add_option("-w,--workdir", o->workdir, "Working directory inside the container");
  cmd->add_flag("--privileged", o->privileged, "Give extended privileges to the command");
  cmd->add_option("--detach-keys", o->detach_keys, "Override the key sequence for detaching");
  // The command's own flags belong to it: stop parsing ours at the container's name.
  cmd->prefix_command();
  cmd->fallthrough(false);
  cmd->callback([&ctx, o, cmd] {
    // CONTAINER COMMAND [ARG...]: everything from the first positional on, as remaining().
    Options copy = *o;
    copy.args = cmd->remaining();
    if (!copy.args.empty() && copy.args[0].size() > 1 && copy.args[0][0] == '-') {
      ctx.exit_code = kHakoFailed;
      ctx.status = invalid_argument("unknown flag: " + copy.args[0]);
      return;
    }
    ctx.status = run(ctx, std::move(copy));
  });
}

}  // namespace hako::cli
