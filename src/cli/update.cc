// hako update [--memory … --restart …] CONTAINER...: new resource limits for containers, with
// the docker CLI's flags, parsers and messages (the same as run's: cli/run_flags). Applied at
// once to a running container and kept for its next start (engine/update.h).
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/run_flags.h"
#include "engine/update.h"

namespace hako::cli {
namespace {

struct Options {
  RunFlags flags;  // only the resource fields and restart are used
  std::vector<std::string> containers;
};

// The HostConfig fields an update may carry (Docker's UpdateConfig).
constexpr const char* kFields[] = {
    "Memory",   "MemorySwap", "MemoryReservation", "NanoCpus",  "CpuShares",   "CpuPeriod",
    "CpuQuota", "CpusetCpus", "CpusetMems",        "PidsLimit", "BlkioWeight", "RestartPolicy"};

Status run(Context& ctx, const Options& o, size_t flags_given) {
  if (flags_given == 0)
    return invalid_argument("you must provide one or more flags when using this command");
  // run's conversion of the same flags: the same parsers, defaults and error wording.
  HAKO_TRY_ASSIGN(nlohmann::json body, to_create_body(o.flags, "scratch", {}));
  json::Value changes = json::Value::object();
  const nlohmann::json& hc = body["HostConfig"];
  for (const char* f : kFields)
    if (hc.contains(f)) changes[f] = hc[f];
  // --pids-limit 0 and -1 both mean unlimited, which the create body leaves out as unset.
  if (!o.flags.pids_limit.empty() && !changes.contains("PidsLimit")) changes["PidsLimit"] = 0;
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  return for_each_container(
      ctx, eng, o.containers,
      [&](const engine::ContainerRecord& c, const std::string& typed) -> Status {
        HAKO_TRY_ASSIGN(auto warnings, engine::update(eng, c, changes));
        for (const auto& w : warnings) (void)print(ctx.err, w + "\n");
        return print(ctx.out, typed + "\n");
      });
}

}  // namespace

void add_update(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("update", "Update configuration of one or more containers");
  RunFlags& f = o->flags;
  std::vector<CLI::Option*> opts = {
      cmd->add_option("--blkio-weight", f.blkio_weight,
                      "Block IO (relative weight), between 10 and 1000, or 0 to disable"),
      cmd->add_option("--cpu-period", f.cpu_period,
                      "Limit CPU CFS (Completely Fair Scheduler) period"),
      cmd->add_option("--cpu-quota", f.cpu_quota,
                      "Limit CPU CFS (Completely Fair Scheduler) quota"),
      cmd->add_option("-c,--cpu-shares", f.cpu_shares, "CPU shares (relative weight)"),
      cmd->add_option("--cpus", f.cpus, "Number of CPUs"),
      cmd->add_option("--cpuset-cpus", f.cpuset_cpus,
                      "CPUs in which to allow execution (0-3, 0,1)"),
      cmd->add_option("--cpuset-mems", f.cpuset_mems,
                      "MEMs in which to allow execution (0-3, 0,1)"),
      cmd->add_option("-m,--memory", f.memory, "Memory limit"),
      cmd->add_option("--memory-reservation", f.memory_reservation, "Memory soft limit"),
      cmd->add_option("--memory-swap", f.memory_swap,
                      "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
      cmd->add_option("--pids-limit", f.pids_limit,
                      "Tune container pids limit (set -1 for unlimited)"),
      cmd->add_option("--restart", f.restart, "Restart policy to apply when a container exits"),
  };
  cmd->add_option("container", o->containers, "CONTAINER")->required();
  cmd->callback([&ctx, o, opts] {
    size_t given = 0;
    for (const CLI::Option* opt : opts) given += opt->count();
    ctx.status = run(ctx, *o, given);
  });
}

}  // namespace hako::cli
