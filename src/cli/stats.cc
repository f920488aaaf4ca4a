// hako stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]: a live table of
// the containers' resource usage with Docker's columns. On a terminal the table is redrawn in
// place every second (ANSI clear + home, as the docker CLI) until Ctrl-C; elsewhere a new
// table is printed every second; --no-stream prints one table (two samples, for CPU %).
// Without names: the running containers (-a: all), looked up again at every tick.
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/units.h"
#include "engine/stats.h"
#include "format/render.h"

namespace hako::cli {
namespace {

struct Options {
  bool all = false, no_stream = false, no_trunc = false;
  std::string format;
  std::vector<std::string> containers;
};

constexpr const char* kDefaultFormat =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}"
    "\t{{.PIDs}}";
// --no-stream's two samples: short enough to answer quickly, long enough for a CPU %.
constexpr auto kNoStreamInterval = std::chrono::milliseconds(500);
constexpr auto kStreamInterval = std::chrono::seconds(1);

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v);
  return buf;
}

struct Target {
  std::string as_typed;  // the CONTAINER column: the name given, or the short id
  engine::ContainerRecord record;
};

json::Value row_of(const Target& t, const engine::StatsSample& before,
                   const engine::StatsSample& after, bool no_trunc) {
  auto io = [](uint64_t a, uint64_t b) {
    return human_size(static_cast<int64_t>(a)) + " / " + human_size(static_cast<int64_t>(b));
  };
  return {
      {"Container", t.as_typed},
      {"ID", no_trunc ? t.record.id : t.record.id.substr(0, 12)},
      {"Name", t.record.name},
      {"CPUPerc", percent(engine::cpu_percent(before, after))},
      {"MemUsage", bytes_size(after.memory_usage) + " / " + bytes_size(after.memory_limit)},
      {"MemPerc", percent(engine::memory_percent(after))},
      {"NetIO", io(after.net_rx, after.net_tx)},
      {"BlockIO", io(after.block_read, after.block_write)},
      {"PIDs", std::to_string(after.pids)},
  };
}

// The named containers (each must exist), or those `ps` (-a) would list.
Result<std::vector<Target>> targets(Context& ctx, engine::Engine& eng, const Options& o) {
  std::vector<Target> out;
  if (!o.containers.empty()) {
    std::string errors;
    for (const auto& name : o.containers) {
      auto c = eng.containers().resolve(name);
      if (c)
        out.push_back({name, std::move(*c)});
      else
        errors += "Error response from daemon: " + c.error().message() + "\n";
    }
    if (!errors.empty()) {
      (void)print(ctx.err, errors);
      return failed_precondition("");
    }
    return out;
  }
  HAKO_TRY_ASSIGN(auto all, eng.containers().list());
  for (auto& c : all) {
    std::string status = eng.state_of(c.id).status;
    if (!o.all && status != "running" && status != "paused") continue;
    std::string short_id = c.id.substr(0, 12);
    out.push_back({short_id, std::move(c)});
  }
  return out;
}

Result<std::map<std::string, engine::StatsSample>> sample(engine::Engine& eng,
                                                          const std::vector<Target>& ts) {
  std::map<std::string, engine::StatsSample> out;
  for (const auto& t : ts) {
    HAKO_TRY_ASSIGN(out[t.record.id], engine::sample_stats(eng, t.record));
  }
  return out;
}

Result<std::string> table(const Options& o, const std::vector<Target>& ts,
                          std::map<std::string, engine::StatsSample>& before,
                          const std::map<std::string, engine::StatsSample>& after) {
  static const std::map<std::string, std::string> kHeaders = {{"Container", "CONTAINER"},
                                                              {"ID", "CONTAINER ID"},
                                                              {"Name", "NAME"},
                                                              {"CPUPerc", "CPU %"},
                                                              {"MemUsage", "MEM USAGE / LIMIT"},
                                                              {"MemPerc", "MEM %"},
                                                              {"NetIO", "NET I/O"},
                                                              {"BlockIO", "BLOCK I/O"},
                                                              {"PIDs", "PIDS"}};
  std::vector<json::Value> rows;
  for (const auto& t : ts) {
    auto a = after.find(t.record.id);
    if (a == after.end()) continue;
    rows.push_back(row_of(t, before[t.record.id], a->second, o.no_trunc));
  }
  return format::render_rows(o.format, rows, kHeaders, kDefaultFormat);
}

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY_ASSIGN(std::vector<Target> ts, targets(ctx, eng, o));
  HAKO_TRY_ASSIGN(auto before, sample(eng, ts));
  std::this_thread::sleep_for(
      o.no_stream ? std::chrono::duration_cast<std::chrono::milliseconds>(kNoStreamInterval)
                  : kStreamInterval);
  bool terminal = ::isatty(::fileno(ctx.out)) == 1;
  while (true) {
    if (!o.no_stream && o.containers.empty()) {
      // Containers come and go while we watch.
      HAKO_TRY_ASSIGN(auto now, targets(ctx, eng, o));
      ts = std::move(now);
    }
    HAKO_TRY_ASSIGN(auto after, sample(eng, ts));
    HAKO_TRY_ASSIGN(std::string text, table(o, ts, before, after));
    if (o.no_stream) return print(ctx.out, text);
    if (terminal) text = "\033[2J\033[H" + text;
    HAKO_TRY(print(ctx.out, text));
    std::fflush(ctx.out);
    before = std::move(after);
    std::this_thread::sleep_for(kStreamInterval);
  }
}

}  // namespace

void add_stats(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(
      "stats", "Display a live stream of container(s) resource usage statistics");
  cmd->add_flag("-a,--all", o->all, "Show all containers (default shows just running)");
  cmd->add_option("--format", o->format, "Pretty-print images using a Go template");
  cmd->add_flag("--no-stream", o->no_stream,
                "Disable streaming stats and only pull the first result");
  cmd->add_flag("--no-trunc", o->no_trunc, "Do not truncate output");
  cmd->add_option("container", o->containers, "CONTAINER");
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
