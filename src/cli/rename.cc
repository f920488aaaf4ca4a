// hako rename CONTAINER NEW_NAME, with Docker's checks and its two error lines (the daemon's
// reason, then "Error: failed to rename container named OLD"). Only the containers table holds
// the name: the shim and the runtime know a container by its id.
#include <memory>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/container_events.h"

namespace hako::cli {
namespace {

struct Options {
  std::string old_name, new_name;
};

Status rename(engine::Engine& eng, const std::string& old_name, std::string new_name) {
  HAKO_TRY_ASSIGN(engine::ContainerRecord c, eng.containers().resolve(old_name));
  if (starts_with(new_name, "/")) new_name.erase(0, 1);
  if (new_name == c.name)
    return invalid_argument("Renaming a container with the same name as its current name");
  // dockerd's reserveName: its messages name the new name with Docker's leading "/".
  Status s = engine::validate_name(new_name);
  if (!s)
    s = invalid_argument("Invalid container name (/" + new_name +
                         "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  if (s) s = eng.containers().rename(c.id, new_name);
  if (!s) return std::move(s).error().context("Error when allocating new name");
  // Docker's oldName keeps the leading "/" of its container names.
  std::string old = "/" + c.name;
  c.name = new_name;
  engine::record_container_event(eng.root(), c, "rename", {{"oldName", old}});
  return ok();
}

Status run(Context& ctx, const Options& o) {
  std::string old_name(trim(o.old_name)), new_name(trim(o.new_name));
  if (old_name.empty() || new_name.empty()) {
    (void)print(ctx.err, "Error: Neither old nor new names may be empty\n");
    return invalid_argument("");
  }
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  Status s = rename(eng, old_name, new_name);
  if (!s) {
    (void)print(ctx.err, "Error response from daemon: " + s.error().message() +
                             "\nError: failed to rename container named " + old_name + "\n");
    return failed_precondition("");
  }
  return ok();
}

}  // namespace

void add_rename(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("rename", "Rename a container");
  cmd->add_option("container", o->old_name, "CONTAINER")->required();
  cmd->add_option("new_name", o->new_name, "NEW_NAME")->required();
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
