// hako history: the image's build steps, newest first, as Docker prints them.
#include <ctime>

#include "cli/commands.h"
#include "cli/units.h"
#include "format/render.h"
#include "image/inspect.h"
#include "json/reader.h"

namespace hako::cli {
namespace {

struct Options {
  std::string name, format;
  bool human = true, no_trunc = false, quiet = false;
};

std::string ellipsis(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  return s.substr(0, n - 1) + "\u2026";
}

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  HAKO_TRY_ASSIGN(auto rec, store.resolve(o.name));
  HAKO_TRY_ASSIGN(auto loaded, store.load(rec));
  auto rows = image::history_rows(loaded);
  int64_t now = static_cast<int64_t>(::time(nullptr));
  if (o.quiet) {
    std::string text;
    for (const auto& r : rows)
      text += (r.id == "<missing>" || o.no_trunc ? r.id : r.id.substr(7, 12)) + "\n";
    return print(ctx.out, text);
  }
  std::vector<json::Value> values;
  for (const auto& r : rows) {
    auto created = parse_rfc3339(r.created);
    json::Value v = json::Value::object();
    v["ID"] = r.id == "<missing>" || o.no_trunc ? r.id : r.id.substr(7, 12);
    v["CreatedSince"] = o.human ? time_ago(created, now) : r.created;
    v["CreatedAt"] = r.created;
    v["CreatedBy"] = o.no_trunc ? r.created_by : ellipsis(r.created_by, 45);
    v["Size"] = o.human ? human_size(r.size) : std::to_string(r.size);
    v["Comment"] = r.comment;
    values.push_back(std::move(v));
  }
  std::string fallback =
      "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
  static const std::map<std::string, std::string> kHeaders = {{"ID", "IMAGE"},
                                                              {"CreatedSince", "CREATED"},
                                                              {"CreatedAt", "CREATED AT"},
                                                              {"CreatedBy", "CREATED BY"},
                                                              {"Size", "SIZE"},
                                                              {"Comment", "COMMENT"}};
  HAKO_TRY_ASSIGN(std::string text, format::render_rows(o.format, values, kHeaders, fallback));
  return print(ctx.out, text);
}

}  // namespace

void add_history(CLI::App& parent, Context& ctx) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand("history", "Show the history of an image");
  cmd->add_option("--format", opts->format, "Format output using a Go template");
  cmd->add_option("-H,--human", opts->human, "Print sizes and dates in human readable format")
      ->default_val(true);
  cmd->add_flag("--no-trunc", opts->no_trunc, "Don't truncate output");
  cmd->add_flag("-q,--quiet", opts->quiet, "Only show image IDs");
  cmd->add_option("image", opts->name, "IMAGE")->required();
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
