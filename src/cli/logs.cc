// hako logs [-f] [--since T] [--until T] [-n/--tail N|all] [-t] CONTAINER: the container's
// json-file log; stdout entries to stdout, stderr entries to stderr, as Docker.
#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "engine/log_reader.h"
#include "engine/log_time.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct Options {
  bool follow = false, timestamps = false, details = false;
  std::string since, until, tail = "all";
  std::string container;
};

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY_ASSIGN(engine::ContainerRecord c, eng.containers().resolve(o.container));
  engine::LogQuery q;
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (!o.since.empty()) {
    HAKO_TRY_ASSIGN(q.since_ns, engine::parse_log_time(o.since, now));
  }
  if (!o.until.empty()) {
    HAKO_TRY_ASSIGN(q.until_ns, engine::parse_log_time(o.until, now));
  }
  if (o.tail != "all" && !o.tail.empty()) {
    char* end = nullptr;
    long n = std::strtol(o.tail.c_str(), &end, 10);
    // Docker takes a negative or unparsable --tail as "all".
    if (end && *end == '\0' && n >= 0) q.tail = static_cast<size_t>(n);
  }
  q.follow = o.follow;
  auto done = [&] {
    engine::LiveState s = eng.state_of(c.id);
    return s.status != "running" && s.status != "paused" && s.status != "restarting";
  };
  return engine::read_logs(
      eng.paths(c.id).log(), q,
      [&](const engine::LogEntry& e) {
        std::string line = engine::format_entry(e, o.timestamps);
        return sys::write_all(e.stream == engine::Stream::kStderr ? 2 : 1, line, "logs");
      },
      done);
}

}  // namespace

void add_logs(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("logs", "Fetch the logs of a container");
  cmd->add_flag("-f,--follow", o->follow, "Follow log output");
  cmd->add_flag("-t,--timestamps", o->timestamps, "Show timestamps");
  cmd->add_flag("--details", o->details, "Show extra details provided to logs");
  cmd->add_option("--since", o->since,
                  "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)");
  cmd->add_option(
      "--until", o->until,
      "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m)");
  cmd->add_option("-n,--tail", o->tail, "Number of lines to show from the end of the logs");
  cmd->add_option("container", o->container, "CONTAINER")->required();
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
