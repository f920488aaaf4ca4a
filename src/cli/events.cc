// hako events [--since T] [--until T] [--filter K=V]... [--format F]: the store's events log
// (engine/events_reader.h), printed as Docker prints the daemon's event stream: one line per
// event, by default "<time> <type> <action> <id> (attributes)", or the --format template per
// event ("json" and "{{json .}}": the message as Docker's JSON).
#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "engine/event_filter.h"
#include "engine/events_reader.h"
#include "engine/log_time.h"
#include "format/render.h"
#include "sys/file.h"

namespace hako::cli {
namespace {

struct Options {
  std::string since, until, format;
  std::vector<std::string> filters;
};

bool is_json_format(std::string_view f) {
  while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
  while (!f.empty() && f.back() == ' ') f.remove_suffix(1);
  return f == "json" || f == "{{json .}}";
}

Status run(Context& ctx, const Options& o) {
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  engine::EventQuery q;
  if (!o.since.empty()) {
    HAKO_TRY_ASSIGN(q.since_ns, engine::parse_log_time(o.since, now));
  }
  if (!o.until.empty()) {
    HAKO_TRY_ASSIGN(q.until_ns, engine::parse_log_time(o.until, now));
  }
  HAKO_TRY_ASSIGN(q.filter, engine::EventFilter::parse(o.filters));
  bool json_lines = is_json_format(o.format);
  if (!o.format.empty() && !json_lines) {
    // As Docker: a bad template fails before any event, on an empty message.
    HAKO_TRY(format::render_one(o.format, engine::event_template_value(json::Value::object())));
  }
  if (!sys::exists(ctx.root)) return not_found("events: store " + ctx.root + " does not exist");
  std::fflush(ctx.out);
  int out_fd = ::fileno(ctx.out);
  return engine::read_events(ctx.root, q, now, [&](const json::Value& ev) -> Status {
    std::string line;
    if (json_lines) {
      line = format::compact_json(ev) + "\n";
    } else if (!o.format.empty()) {
      HAKO_TRY_ASSIGN(line, format::render_one(o.format, engine::event_template_value(ev)));
    } else {
      line = engine::format_event_line(ev) + "\n";
    }
    // Straight to the fd: a follower killed by Ctrl-C has printed every event it read.
    return sys::write_all(out_fd, line, "events");
  });
}

}  // namespace

void add_events(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("events", "Get real time events from the server");
  cmd->add_option("--since", o->since, "Show all events created since timestamp");
  cmd->add_option("--until", o->until, "Stream events until this timestamp");
  cmd->add_option("-f,--filter", o->filters, "Filter output based on conditions provided")
      ->allow_extra_args(false);
  cmd->add_option("--format", o->format,
                  "Format output using a custom template: 'json' or a Go template");
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
