// hako ps [-a] [-q] [-s] [-n N] [-l] [--filter K=V]... [--format F] [--no-trunc], with
// Docker's columns: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES.
#include <sys/stat.h>

#include <ftw.h>
#include <chrono>
#include <memory>
#include <regex>
#include <set>

#include "cli/commands.h"
#include "cli/engine_access.h"
#include "cli/units.h"
#include "engine/container_filter.h"
#include "engine/inspect.h"
#include "format/render.h"

namespace hako::cli {
namespace {

struct Options {
  bool all = false, quiet = false, size = false, latest = false, no_trunc = false;
  int last = -1;
  std::vector<std::string> filters;
  std::string format;
};

constexpr const char* kDefaultFormat =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Docker quotes the command and cuts it to 20 characters with an ellipsis.
std::string command_column(const std::vector<std::string>& cmd, bool no_trunc) {
  std::string joined;
  for (const auto& a : cmd) joined += (joined.empty() ? "" : " ") + a;
  if (!no_trunc && joined.size() > 20) joined = joined.substr(0, 19) + "…";
  return "\"" + joined + "\"";
}

std::string created_at(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  tm t{};
  ::gmtime_r(&secs, &t);
  char buf[64];
  ::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &t);
  return buf;
}

int64_t dir_bytes(const std::string& dir) {
  static thread_local int64_t total;
  total = 0;
  ::nftw(
      dir.c_str(),
      [](const char*, const struct stat* st, int type, FTW*) {
        if (type == FTW_F) total += st->st_blocks * 512;
        return 0;
      },
      32, FTW_PHYS);
  return total;
}

const std::set<std::string>& row_fields() {
  static const std::set<std::string> kFields = {
      "ID",    "Image",  "Command", "CreatedAt", "RunningFor",   "Ports", "State",   "Status",
      "Names", "Labels", "Mounts",  "Networks",  "LocalVolumes", "Size",  "LabelMap"};
  return kFields;
}

// Docker's ps formats a struct: a field it lacks is an error, and `.Label "k"` is a method.
// Ours formats JSON rows, so check the fields first and turn the method into an index.
Result<std::string> prepare_format(const std::string& format, std::set<std::string>* labels) {
  static const std::regex kLabel(R"re(\.Label\s+"([^"]*)")re");
  std::string out;
  for (std::sregex_iterator it(format.begin(), format.end(), kLabel), end; it != end; ++it)
    labels->insert((*it)[1].str());
  out = std::regex_replace(format, kLabel, "(index .LabelMap \"$1\")");
  static const std::regex kField(R"re((^|[\s({|])\.([A-Za-z_][A-Za-z0-9_]*))re");
  for (std::sregex_iterator it(out.begin(), out.end(), kField), end; it != end; ++it) {
    std::string name = (*it)[2].str();
    if (!row_fields().count(name))
      return invalid_argument("template: can't evaluate field " + name +
                              " in type *formatter.containerContext");
  }
  return out;
}

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(engine::ContainerFilter filters, engine::ContainerFilter::parse(o.filters));
  std::set<std::string> wanted_labels;
  HAKO_TRY_ASSIGN(std::string format, prepare_format(o.format, &wanted_labels));
  HAKO_TRY_ASSIGN(engine::Engine eng, open_engine(ctx));
  HAKO_TRY_ASSIGN(auto all, eng.containers().list());
  int64_t now = now_ns();
  std::vector<json::Value> rows;
  int limit = o.latest ? 1 : o.last;
  engine::ResolvedRefs refs;
  for (const auto& a : filters.values("ancestor"))
    if (auto img = eng.images().resolve(a)) refs.ancestor_ids.insert(img->id.to_string());
  // before/since: by creation order, relative to a named container (dockerd: the last one
  // given; one that does not exist is an error).
  for (auto [key, out] : {std::pair{"before", &refs.before}, std::pair{"since", &refs.since}}) {
    auto given = filters.values(key);
    if (given.empty()) continue;
    HAKO_TRY_ASSIGN(engine::ContainerRecord ref, eng.containers().resolve(given.back()));
    *out = ref.created;
  }
  // As dockerd: stopped containers too with -a, -n/-l, or a status, before or since filter
  // (a name or label filter alone still lists only running ones).
  bool show_all =
      o.all || limit > 0 || filters.has("status") || filters.has("before") || filters.has("since");
  for (const auto& c : all) {
    engine::LiveState live = eng.state_of(c.id);
    if (!show_all && live.status != "running" && live.status != "paused" &&
        live.status != "restarting")
      continue;
    const json::Value& config = c.definition["Config"];
    if (!filters.empty()) {
      engine::ContainerFacts facts{c.id,    c.name,   {}, live.status, live.record.exit_code,
                                   c.image, c.created};
      if (config.contains("Labels") && config["Labels"].is_object())
        for (auto it = config["Labels"].begin(); it != config["Labels"].end(); ++it)
          if (it.value().is_string()) facts.labels[it.key()] = it.value().get<std::string>();
      if (!filters.matches(facts, refs)) continue;
    }
    if (limit > 0 && static_cast<int>(rows.size()) >= limit) break;
    std::string image = c.definition.value("ImageName", c.image);
    if (!o.no_trunc && image.rfind("sha256:", 0) == 0) image = image.substr(7, 12);
    std::string labels;
    if (config.contains("Labels") && config["Labels"].is_object())
      for (auto it = config["Labels"].begin(); it != config["Labels"].end(); ++it)
        labels += (labels.empty() ? "" : ",") + it.key() + "=" +
                  (it.value().is_string() ? it.value().get<std::string>() : "");
    json::Value row = {
        {"ID", o.no_trunc ? c.id : c.id.substr(0, 12)},
        {"Image", image},
        {"Command", command_column(engine::container_command(c), o.no_trunc)},
        {"CreatedAt", created_at(c.created)},
        {"RunningFor", engine::human_duration(now - c.created) + " ago"},
        {"Ports", ""},
        {"State", live.status},
        {"Status", engine::status_text(live, now)},
        {"Names", c.name},
        {"Labels", labels},
        {"Mounts", ""},
        {"Networks", ""},
        {"LocalVolumes", "0"},
        {"Size", ""},
    };
    json::Value label_map = json::Value::object();
    for (const auto& k : wanted_labels) label_map[k] = "";
    if (config.contains("Labels") && config["Labels"].is_object())
      for (auto it = config["Labels"].begin(); it != config["Labels"].end(); ++it)
        label_map[it.key()] = it.value();
    row["LabelMap"] = label_map;
    if (o.size) {
      row["Size"] = human_size(dir_bytes(eng.paths(c.id).upper())) + " (virtual " +
                    human_size(dir_bytes(eng.paths(c.id).upper())) + ")";
    }
    rows.push_back(std::move(row));
  }
  if (o.quiet) {
    std::string text;
    for (const auto& r : rows) text += r["ID"].get<std::string>() + "\n";
    return print(ctx.out, text);
  }
  std::string fallback = kDefaultFormat;
  if (o.size) fallback += "\t{{.Size}}";
  static const std::map<std::string, std::string> kHeaders = {{"ID", "CONTAINER ID"},
                                                              {"RunningFor", "CREATED"},
                                                              {"Names", "NAMES"},
                                                              {"CreatedAt", "CREATED AT"},
                                                              {"LocalVolumes", "LOCAL VOLUMES"}};
  HAKO_TRY_ASSIGN(std::string text, format::render_rows(format, rows, kHeaders, fallback));
  return print(ctx.out, text);
}

}  // namespace

void add_ps(CLI::App& parent, Context& ctx, const char* name) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(name, "List containers");
  cmd->add_flag("-a,--all", o->all, "Show all containers (default shows just running)");
  cmd->add_flag("-q,--quiet", o->quiet, "Only display container IDs");
  cmd->add_flag("-s,--size", o->size, "Display total file sizes");
  cmd->add_flag("-l,--latest", o->latest,
                "Show the latest created container (includes all states)");
  cmd->add_option("-n,--last", o->last, "Show n last created containers (includes all states)");
  cmd->add_option("-f,--filter", o->filters, "Filter output based on conditions provided")
      ->allow_extra_args(false);
  cmd->add_option("--format", o->format, "Format output using a custom template");
  cmd->add_flag("--no-trunc", o->no_trunc, "Don't truncate output");
  cmd->callback([&ctx, o] { ctx.status = run(ctx, *o); });
}

}  // namespace hako::cli
