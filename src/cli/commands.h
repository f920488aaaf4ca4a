// The `hako` commands. Each add_* registers one command (Docker's name, flags and help) on
// its parent and runs it when parsed, leaving the outcome in Context::status for main() to
// turn into an exit code. One file per command; the work itself is in the library modules.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace hako::cli {

void add_images(CLI::App& parent, Context& ctx, const char* name = "images");
void add_image_inspect(CLI::App& parent, Context& ctx);
void add_history(CLI::App& parent, Context& ctx);
void add_tag(CLI::App& parent, Context& ctx);
void add_rmi(CLI::App& parent, Context& ctx, const char* name = "rmi");
void add_image_prune(CLI::App& parent, Context& ctx);
void add_save(CLI::App& parent, Context& ctx);
void add_load(CLI::App& parent, Context& ctx);
void add_import(CLI::App& parent, Context& ctx);
void add_image_default(CLI::App& parent, Context& ctx);
void add_image_mount(CLI::App& parent, Context& ctx);
void add_system_df(CLI::App& parent, Context& ctx);
void add_system_check(CLI::App& parent, Context& ctx);
void add_pull(CLI::App& parent, Context& ctx);
void add_push(CLI::App& parent, Context& ctx);
void add_login(CLI::App& parent, Context& ctx);
void add_logout(CLI::App& parent, Context& ctx);
void add_volume(CLI::App& parent, Context& ctx);

// containers
void add_run(CLI::App& parent, Context& ctx);
void add_create(CLI::App& parent, Context& ctx);
void add_start(CLI::App& parent, Context& ctx);
void add_stop(CLI::App& parent, Context& ctx);
void add_restart(CLI::App& parent, Context& ctx);
void add_kill(CLI::App& parent, Context& ctx);
void add_rm(CLI::App& parent, Context& ctx, const char* name = "rm");
void add_wait(CLI::App& parent, Context& ctx);
void add_ps(CLI::App& parent, Context& ctx, const char* name = "ps");
void add_inspect(CLI::App& parent, Context& ctx, bool containers_only);
void add_exec(CLI::App& parent, Context& ctx);
void add_logs(CLI::App& parent, Context& ctx);
void add_attach(CLI::App& parent, Context& ctx);
void add_events(CLI::App& parent, Context& ctx);
void add_pause(CLI::App& parent, Context& ctx);
void add_unpause(CLI::App& parent, Context& ctx);
void add_top(CLI::App& parent, Context& ctx);
void add_stats(CLI::App& parent, Context& ctx);
void add_rename(CLI::App& parent, Context& ctx);
void add_update(CLI::App& parent, Context& ctx);
void add_port(CLI::App& parent, Context& ctx);
void add_container_prune(CLI::App& parent, Context& ctx);  // `container prune` only
void add_cp(CLI::App& parent, Context& ctx);
void add_diff(CLI::App& parent, Context& ctx);
void add_commit(CLI::App& parent, Context& ctx);

}  // namespace hako::cli
