// hako: Docker's command line over hako's own store. This file only builds the command tree,
// picks the store and state roots, and maps an error to one line on stderr and an exit code.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/run_flags.h"

namespace {

using namespace hako;

// Docker's CLI exits 1 for a failed command and 125 when the daemon side fails a `run`; with
// no `run` yet, every failure is 1, and usage errors are CLI11's (2? Docker uses 125 there
// too): keep 125 for usage so scripts can tell a typo from a failed operation.
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 125;

// The first word that is not a global option: the command the user meant.
std::string first_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--root" || a == "--state") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] != '-') return std::string(a);
  }
  return {};
}

bool is_command(const CLI::App& app, const std::string& name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->check_name(name)) return true;
  return false;
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  cli::Context ctx;
  ctx.root = env_or("HAKO_ROOT", cli::kDefaultRoot);
  ctx.state = env_or("HAKO_STATE", cli::kDefaultState);

  CLI::App app("hako: containers, Docker's way, without a daemon", "hako");
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--root", ctx.root, "Store directory (images, containers, volumes)")
      ->capture_default_str();
  app.add_option("--state", ctx.state, "Runtime state directory")->capture_default_str();
  app.set_version_flag("-v,--version", "hako version 0.1.0");

  // Building every command's options costs more than most commands take to run (`run` and
  // `create` alone register ~100 flags each): build the one the user named, all of them only
  // for help or a typo (so the unknown-command message stays right).
  std::string cmd = first_command(argc, argv);
  bool full = cmd.empty() || cmd == "help";
  auto want = [&](const char* name) { return full || cmd == name; };

  if (want("images")) cli::add_images(app, ctx);
  if (want("history")) cli::add_history(app, ctx);
  if (want("tag")) cli::add_tag(app, ctx);
  if (want("rmi")) cli::add_rmi(app, ctx);
  if (want("load")) cli::add_load(app, ctx);
  if (want("save")) cli::add_save(app, ctx);
  if (want("import")) cli::add_import(app, ctx);
  if (want("pull")) cli::add_pull(app, ctx);
  if (want("push")) cli::add_push(app, ctx);
  if (want("login")) cli::add_login(app, ctx);
  if (want("logout")) cli::add_logout(app, ctx);
  if (want("volume")) cli::add_volume(app, ctx);
  if (want("events")) cli::add_events(app, ctx);

  // The container commands, at the top as Docker has them and under `container`.
  auto add_container_commands = [&ctx](CLI::App& parent, bool top, auto&& want_cmd) {
    if (want_cmd("run")) cli::add_run(parent, ctx);
    if (want_cmd("create")) cli::add_create(parent, ctx);
    if (want_cmd("start")) cli::add_start(parent, ctx);
    if (want_cmd("stop")) cli::add_stop(parent, ctx);
    if (want_cmd("restart")) cli::add_restart(parent, ctx);
    if (want_cmd("kill")) cli::add_kill(parent, ctx);
    if (want_cmd("rm")) cli::add_rm(parent, ctx);
    if (want_cmd("wait")) cli::add_wait(parent, ctx);
    if (want_cmd("ps")) {
      cli::add_ps(parent, ctx, top ? "ps" : "ls");
      if (!top) parent.get_subcommand("ls")->alias("ps")->alias("list");
    }
    if (want_cmd("inspect")) cli::add_inspect(parent, ctx, !top);
    if (want_cmd("exec")) cli::add_exec(parent, ctx);
    if (want_cmd("logs")) cli::add_logs(parent, ctx);
    if (want_cmd("attach")) cli::add_attach(parent, ctx);
    if (want_cmd("pause")) cli::add_pause(parent, ctx);
    if (want_cmd("unpause")) cli::add_unpause(parent, ctx);
    if (want_cmd("top")) cli::add_top(parent, ctx);
    if (want_cmd("stats")) cli::add_stats(parent, ctx);
    if (want_cmd("rename")) cli::add_rename(parent, ctx);
    if (want_cmd("update")) cli::add_update(parent, ctx);
    if (want_cmd("port")) cli::add_port(parent, ctx);
    if (!top) cli::add_container_prune(parent, ctx);
    if (want_cmd("cp")) cli::add_cp(parent, ctx);
    if (want_cmd("diff")) cli::add_diff(parent, ctx);
    if (want_cmd("commit")) cli::add_commit(parent, ctx);
  };
  add_container_commands(app, true, want);
  CLI::App* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
  if (want("container"))
    add_container_commands(*container, false, [](const char*) { return true; });

  CLI::App* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);
  if (want("image")) {
    cli::add_images(*image, ctx, "ls");
    image->get_subcommand("ls")->alias("list");
    cli::add_image_inspect(*image, ctx);
    cli::add_history(*image, ctx);
    cli::add_tag(*image, ctx);
    cli::add_rmi(*image, ctx, "rm");
    cli::add_image_prune(*image, ctx);
    cli::add_load(*image, ctx);
    cli::add_save(*image, ctx);
    cli::add_import(*image, ctx);
    cli::add_pull(*image, ctx);
    cli::add_push(*image, ctx);
    cli::add_image_default(*image, ctx);
    cli::add_image_mount(*image, ctx);
  }

  CLI::App* system = app.add_subcommand("system", "Manage hako");
  system->require_subcommand(1);
  cli::add_system_df(*system, ctx);
  cli::add_system_check(*system, ctx);
  cli::add_events(*system, ctx);

  try {
    // pflag reads `--entrypoint=` as the empty value, CLI11 as "take the next word": rewrite
    // run/create arguments before parsing (cli/run_flags.h).
    std::vector<std::string> args(argv + 1, argv + argc);
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--root" || args[i] == "--state") {
        ++i;
        continue;
      }
      if (!args[i].empty() && args[i][0] == '-') continue;
      CLI::App* parent = &app;
      size_t at = i;
      if (args[i] == "container" && i + 1 < args.size()) {
        parent = container;
        at = i + 1;
      }
      if (args[at] == "run" || args[at] == "create") {
        std::vector<std::string> rest(args.begin() + static_cast<long>(at) + 1, args.end());
        rest = cli::split_empty_flag_values(*parent->get_subcommand(args[at]), std::move(rest));
        args.resize(at + 1);
        args.insert(args.end(), rest.begin(), rest.end());
      }
      break;
    }
    std::reverse(args.begin(), args.end());
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    if (!cmd.empty() && !is_command(app, cmd)) {
      std::fprintf(stderr, "hako: unknown command \"%s\" (see hako --help)\n", cmd.c_str());
      return kExitUsage;
    }
    // CLI11's messages start with a capital; hako's are lower case.
    std::string msg = e.what();
    if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
    std::fprintf(stderr, "hako: %s (see hako --help)\n", msg.c_str());
    return kExitUsage;
  }
  if (!ctx.status) {
    // An empty message: the command has reported its failures itself, line by line.
    if (!ctx.status.error().message().empty())
      std::fprintf(stderr, "hako: %s\n", ctx.status.error().message().c_str());
    return ctx.exit_code.value_or(kExitFailure);
  }
  return ctx.exit_code.value_or(0);
}
