// hako: Docker's command line over hako's own store. This file only builds the command tree,
// picks the store and state roots, and maps an error to one line on stderr and an exit code.
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

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

  cli::add_images(app, ctx);
  cli::add_history(app, ctx);
  cli::add_tag(app, ctx);
  cli::add_rmi(app, ctx);
  cli::add_load(app, ctx);
  cli::add_save(app, ctx);
  cli::add_import(app, ctx);
  cli::add_pull(app, ctx);
  cli::add_push(app, ctx);
  cli::add_login(app, ctx);
  cli::add_logout(app, ctx);
  cli::add_volume(app, ctx);
  cli::add_events(app, ctx);

  // The container commands, at the top as Docker has them and under `container`.
  auto add_container_commands = [&ctx](CLI::App& parent, bool top) {
    cli::add_run(parent, ctx);
    cli::add_create(parent, ctx);
    cli::add_start(parent, ctx);
    cli::add_stop(parent, ctx);
    cli::add_restart(parent, ctx);
    cli::add_kill(parent, ctx);
    cli::add_rm(parent, ctx);
    cli::add_wait(parent, ctx);
    cli::add_ps(parent, ctx, top ? "ps" : "ls");
    if (!top) parent.get_subcommand("ls")->alias("ps")->alias("list");
    cli::add_inspect(parent, ctx, !top);
    cli::add_exec(parent, ctx);
    cli::add_logs(parent, ctx);
  };
  add_container_commands(app, true);
  CLI::App* container = app.add_subcommand("container", "Manage containers");
  container->require_subcommand(1);
  add_container_commands(*container, false);

  CLI::App* image = app.add_subcommand("image", "Manage images");
  image->require_subcommand(1);
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

  CLI::App* system = app.add_subcommand("system", "Manage hako");
  system->require_subcommand(1);
  cli::add_system_df(*system, ctx);
  cli::add_system_check(*system, ctx);
  cli::add_events(*system, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::string cmd = first_command(argc, argv);
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
