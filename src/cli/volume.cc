// hako volume create/ls/inspect/rm/prune: Docker's flags, table, JSON and messages over
// engine::VolumeStore.
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/units.h"
#include "engine/volumes.h"
#include "format/render.h"

namespace hako::cli {
namespace {

// The store's database is the image store's hako.db; opening the image store also takes its
// shared lock, so a concurrent `hako system check` sees a consistent store.
template <typename F>
Status with_volumes(Context& ctx, F fn) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  engine::VolumeStore volumes(store.metadata().database(), ctx.root);
  return fn(volumes);
}

// "2024-05-01T10:00:00+02:00" in the local zone, as Docker's CreatedAt (Go's time.RFC3339).
std::string rfc3339_local(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  ::localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  long off = tm.tm_gmtoff;
  if (off == 0) return out + "Z";
  int minutes = static_cast<int>(std::labs(off) / 60 % (24 * 60));  // zones are within a day
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", off < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return out + zone;
}

// k=v items (--label k=v, --opt k=v); a label without "=" has an empty value, an option must
// have one (Docker: "invalid key/value pair format in driver options").
Result<nlohmann::json> key_values(const std::vector<std::string>& items, bool value_required) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos) {
      if (value_required)
        return invalid_argument("invalid key/value pair format in driver options: \"" + item +
                                "\" (use -o key=value)");
      out[item] = "";
      continue;
    }
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

nlohmann::json inspect_json(const engine::VolumeRecord& v) {
  return {{"CreatedAt", rfc3339_local(v.created)},
          {"Driver", v.driver},
          {"Labels", v.labels},
          {"Mountpoint", v.mountpoint},
          {"Name", v.name},
          {"Options", v.options},
          {"Scope", "local"}};
}

// Docker's ls fields: Labels as "k=v,k2=v2", what the daemon cannot know cheaply "N/A".
nlohmann::json row_json(const engine::VolumeRecord& v) {
  std::vector<std::string> labels;
  for (const auto& [k, val] : v.labels.items())
    labels.push_back(k + "=" + (val.is_string() ? val.get<std::string>() : val.dump()));
  return {{"Availability", "N/A"}, {"Driver", v.driver},
          {"Group", "N/A"},        {"Labels", join(labels, ",")},
          {"Links", "N/A"},        {"Mountpoint", v.mountpoint},
          {"Name", v.name},        {"Scope", "local"},
          {"Size", "N/A"},         {"Status", "N/A"}};
}

// Docker's CLI lists volumes in natural order (sortorder.NaturalLess): digit runs compare as
// numbers, so v2 comes before v10.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      size_t si = i, sj = j;
      while (si < a.size() && a[si] == '0') ++si;
      while (sj < b.size() && b[sj] == '0') ++sj;
      size_t ei = si, ej = sj;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      if (ei - si != ej - sj) return ei - si < ej - sj;
      if (int c = a.compare(si, ei - si, b, sj, ej - sj); c != 0) return c < 0;
      if (ei - i != ej - j) return ei - i < ej - j;  // fewer leading zeros first
      i = ei, j = ej;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i, ++j;
  }
  return a.size() - i < b.size() - j;
}

struct CreateOptions {
  std::string name, driver = "local";
  std::vector<std::string> labels, opts;
};

Status run_create(Context& ctx, const CreateOptions& o) {
  HAKO_TRY_ASSIGN(auto labels, key_values(o.labels, false));
  HAKO_TRY_ASSIGN(auto opts, key_values(o.opts, true));
  return with_volumes(ctx, [&](engine::VolumeStore& vs) -> Status {
    HAKO_TRY_ASSIGN(auto v, vs.create(o.name, labels, opts, o.driver));
    return print(ctx.out, v.name + "\n");
  });
}

struct ListOptions {
  bool quiet = false;
  std::vector<std::string> filters;
  std::string format;
};

Status run_ls(Context& ctx, const ListOptions& o) {
  HAKO_TRY_ASSIGN(auto f,
                  engine::VolumeFilters::parse(o.filters, engine::VolumeFilters::For::kList));
  return with_volumes(ctx, [&](engine::VolumeStore& vs) -> Status {
    HAKO_TRY_ASSIGN(auto all, vs.list());
    std::sort(all.begin(), all.end(),
              [](const auto& x, const auto& y) { return natural_less(x.name, y.name); });
    std::vector<nlohmann::json> rows;
    std::string names;
    for (const auto& v : all) {
      bool in_use = false;
      if (f.dangling) {
        HAKO_TRY_ASSIGN(auto users, vs.users(v.name));
        in_use = !users.empty();
      }
      if (!f.matches(v, in_use)) continue;
      names += v.name + "\n";
      rows.push_back(row_json(v));
    }
    if (o.quiet) return print(ctx.out, names);
    static const std::map<std::string, std::string> kHeaders = {
        {"Name", "VOLUME NAME"}, {"Driver", "DRIVER"},
        {"Scope", "SCOPE"},      {"Mountpoint", "MOUNTPOINT"},
        {"Labels", "LABELS"},    {"Links", "LINKS"},
        {"Size", "SIZE"}};
    HAKO_TRY_ASSIGN(std::string text,
                    format::render_rows(o.format, rows, kHeaders, "table {{.Driver}}\t{{.Name}}"));
    return print(ctx.out, text);
  });
}

struct InspectOptions {
  std::vector<std::string> names;
  std::string format;
};

Status run_inspect(Context& ctx, const InspectOptions& o) {
  return with_volumes(ctx, [&](engine::VolumeStore& vs) -> Status {
    nlohmann::json all = nlohmann::json::array();
    std::optional<Error> missing;
    for (const auto& n : o.names) {
      auto v = vs.get(n);
      if (!v) {
        // Docker prints what it found and fails at the end, naming what it did not.
        if (missing) (void)print(ctx.err, "hako: " + missing->message() + "\n");
        missing = std::move(v).error();
        continue;
      }
      all.push_back(inspect_json(*v));
    }
    std::string text;
    if (o.format.empty()) {
      text = all.dump(4) + "\n";
    } else {
      for (const auto& v : all) {
        HAKO_TRY_ASSIGN(std::string one, format::render_one(o.format, v));
        text += one;
      }
    }
    HAKO_TRY(print(ctx.out, text));
    if (missing) return std::move(*missing);
    return ok();
  });
}

struct RemoveOptions {
  std::vector<std::string> names;
  bool force = false;
};

Status run_rm(Context& ctx, const RemoveOptions& o) {
  return with_volumes(ctx, [&](engine::VolumeStore& vs) -> Status {
    // Every name is tried; each failure is one line, the last one printed by main().
    std::optional<Error> last;
    for (const auto& n : o.names) {
      auto s = vs.remove(n, o.force);
      if (!s) {
        if (last) (void)print(ctx.err, "hako: " + last->message() + "\n");
        last = std::move(s).error();
        continue;
      }
      HAKO_TRY(print(ctx.out, n + "\n"));
    }
    if (last) return std::move(*last);
    return ok();
  });
}

struct PruneOptions {
  bool all = false, force = false;
  std::vector<std::string> filters;
};

// Docker's prompt: anything but y or Y (an empty line, end of input) cancels.
Result<bool> confirm(Context& ctx, bool all) {
  HAKO_TRY(print(ctx.out, std::string("WARNING! This will remove ") + (all ? "all" : "anonymous") +
                              " local volumes not used by at least one container.\n"
                              "Are you sure you want to continue? [y/N] "));
  std::string line;
  if (!std::getline(std::cin, line)) return false;
  line = std::string(trim(line));
  return line == "y" || line == "Y";
}

Status run_prune(Context& ctx, const PruneOptions& o) {
  HAKO_TRY_ASSIGN(auto f,
                  engine::VolumeFilters::parse(o.filters, engine::VolumeFilters::For::kPrune));
  bool all = f.all.value_or(o.all);
  if (!o.force) {
    HAKO_TRY_ASSIGN(bool yes, confirm(ctx, all));
    if (!yes) return ok();
  }
  return with_volumes(ctx, [&](engine::VolumeStore& vs) -> Status {
    HAKO_TRY_ASSIGN(auto r, vs.prune(all, f));
    std::string text;
    if (!r.removed.empty()) text = "Deleted Volumes:\n" + join(r.removed, "\n") + "\n\n";
    text += "Total reclaimed space: " + human_size(static_cast<int64_t>(r.reclaimed)) + "\n";
    return print(ctx.out, text);
  });
}

}  // namespace

void add_volume(CLI::App& parent, Context& ctx) {
  CLI::App* volume = parent.add_subcommand("volume", "Manage volumes");
  volume->require_subcommand(1);

  auto c = std::make_shared<CreateOptions>();
  CLI::App* create = volume->add_subcommand("create", "Create a volume");
  create->add_option("name", c->name, "VOLUME");
  create->add_option("-d,--driver", c->driver, "Specify volume driver name")->capture_default_str();
  create->add_option("--label", c->labels, "Set metadata for a volume")->allow_extra_args(false);
  create->add_option("-o,--opt", c->opts, "Set driver specific options")->allow_extra_args(false);
  create->callback([&ctx, c] { ctx.status = run_create(ctx, *c); });

  auto l = std::make_shared<ListOptions>();
  CLI::App* ls = volume->add_subcommand("ls", "List volumes");
  ls->alias("list");
  ls->add_flag("-q,--quiet", l->quiet, "Only display volume names");
  ls->add_option("-f,--filter", l->filters, "Provide filter values (e.g. \"dangling=true\")")
      ->allow_extra_args(false);
  ls->add_option("--format", l->format, "Format output using a Go template");
  ls->callback([&ctx, l] { ctx.status = run_ls(ctx, *l); });

  auto i = std::make_shared<InspectOptions>();
  CLI::App* inspect =
      volume->add_subcommand("inspect", "Display detailed information on one or more volumes");
  inspect->add_option("-f,--format", i->format, "Format output using a Go template");
  inspect->add_option("volume", i->names, "VOLUME")->required();
  inspect->callback([&ctx, i] { ctx.status = run_inspect(ctx, *i); });

  auto r = std::make_shared<RemoveOptions>();
  CLI::App* rm = volume->add_subcommand("rm", "Remove one or more volumes");
  rm->alias("remove");
  rm->add_flag("-f,--force", r->force, "Force the removal of one or more volumes");
  rm->add_option("volume", r->names, "VOLUME")->required();
  rm->callback([&ctx, r] { ctx.status = run_rm(ctx, *r); });

  auto p = std::make_shared<PruneOptions>();
  CLI::App* prune = volume->add_subcommand("prune", "Remove unused local volumes");
  prune->add_flag("-a,--all", p->all, "Remove all unused volumes, not just anonymous ones");
  prune->add_flag("-f,--force", p->force, "Do not prompt for confirmation");
  prune->add_option("--filter", p->filters, "Provide filter values (e.g. \"label=<label>\")")
      ->allow_extra_args(false);
  prune->callback([&ctx, p] { ctx.status = run_prune(ctx, *p); });
}

}  // namespace hako::cli
