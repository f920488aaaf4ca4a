// hako images / hako image ls: Docker's table, -q, -a, --digests, --no-trunc, --filter,
// --format, and a REPOSITORY[:TAG] argument.
#include <fnmatch.h>

#include <ctime>
#include <map>
#include <set>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/units.h"
#include "format/render.h"
#include "json/reader.h"

namespace hako::cli {
namespace {

struct Options {
  bool quiet = false, all = false, digests = false, no_trunc = false;
  std::vector<std::string> filters;
  std::string format;
  std::string repository;
};

struct Filters {
  std::optional<bool> dangling;
  std::vector<std::string> references;
  std::vector<std::pair<std::string, std::optional<std::string>>> labels;
  std::optional<int64_t> before, since;  // added times of the named images
};

std::string display_id(const oci::Digest& id, bool no_trunc) {
  return no_trunc ? id.to_string() : std::string(id.hex().substr(0, 12));
}

Result<Filters> parse_filters(const std::vector<std::string>& raw, image::ImageStore& store) {
  Filters f;
  for (const auto& item : raw) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      return invalid_argument("bad format of filter \"" + item + "\" (expected name=value)");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "dangling") {
      if (value != "true" && value != "false" && value != "1" && value != "0")
        return invalid_argument("invalid filter 'dangling=" + value + "': use true or false");
      f.dangling = value == "true" || value == "1";
    } else if (key == "reference") {
      f.references.push_back(value);
    } else if (key == "label") {
      auto e = value.find('=');
      if (e == std::string::npos)
        f.labels.emplace_back(value, std::nullopt);
      else
        f.labels.emplace_back(value.substr(0, e), value.substr(e + 1));
    } else if (key == "before" || key == "since") {
      HAKO_TRY_ASSIGN(auto rec, store.resolve(value));
      (key == "before" ? f.before : f.since) = rec.added;
    } else {
      return invalid_argument("invalid filter '" + key +
                              "' (images take dangling, reference, label, before, since)");
    }
  }
  return f;
}

bool matches_reference(const std::vector<std::string>& patterns, const std::string& familiar_ref) {
  if (patterns.empty()) return true;
  auto colon = familiar_ref.rfind(':');
  std::string name = familiar_ref.substr(0, colon);
  for (const auto& p : patterns) {
    // Docker matches the pattern against the familiar name, and name:tag when it has a tag.
    if (::fnmatch(p.c_str(), familiar_ref.c_str(), FNM_PATHNAME) == 0) return true;
    if (p.find(':') == std::string::npos && ::fnmatch(p.c_str(), name.c_str(), FNM_PATHNAME) == 0)
      return true;
  }
  return false;
}

struct Row {
  std::string repository = "<none>", tag = "<none>", digest = "<none>";
  const image::ImageRecord* image = nullptr;
};

Status run(Context& ctx, const Options& o) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  std::vector<std::string> filters = o.filters;
  if (!o.repository.empty()) filters.push_back("reference=" + o.repository);
  HAKO_TRY_ASSIGN(Filters f, parse_filters(filters, store));
  HAKO_TRY_ASSIGN(auto images, store.metadata().list_images());
  HAKO_TRY_ASSIGN(auto refs, store.metadata().list_refs());
  std::map<oci::Digest, std::vector<const image::RefRecord*>> by_image;
  for (const auto& r : refs) by_image[r.image].push_back(&r);

  std::vector<Row> rows;
  for (const auto& img : images) {
    const auto& names = by_image[img.id];
    bool dangling = std::none_of(names.begin(), names.end(),
                                 [](const image::RefRecord* r) { return !r->is_digest(); });
    if (f.dangling && *f.dangling != dangling) continue;
    if (f.before && img.added >= *f.before) continue;
    if (f.since && img.added <= *f.since) continue;
    if (!f.labels.empty()) {
      auto loaded = store.load(img);
      if (!loaded) return std::move(loaded).error();
      const auto& labels = loaded->config.config ? loaded->config.config->labels
                                                 : std::map<std::string, std::string>{};
      bool all = std::all_of(f.labels.begin(), f.labels.end(), [&](const auto& want) {
        auto it = labels.find(want.first);
        return it != labels.end() && (!want.second || it->second == *want.second);
      });
      if (!all) continue;
    }
    // One row per tag, as Docker; an image with only digests gets a <none> tag row.
    std::map<std::string, std::string> digest_of_repo;
    for (const auto* r : names) {
      if (!r->is_digest()) continue;
      auto at = r->name.find('@');
      digest_of_repo[r->name.substr(0, at)] = r->name.substr(at + 1);
    }
    bool any = false;
    for (const auto* r : names) {
      if (r->is_digest()) continue;
      std::string fam = image::familiar(r->name);
      if (!matches_reference(f.references, fam)) continue;
      Row row;
      auto colon = fam.rfind(':');
      row.repository = fam.substr(0, colon);
      row.tag = fam.substr(colon + 1);
      auto full = r->name.substr(0, r->name.rfind(':'));
      if (auto it = digest_of_repo.find(full); it != digest_of_repo.end()) row.digest = it->second;
      row.image = &img;
      rows.push_back(row);
      any = true;
    }
    if (!any && dangling && f.references.empty()) {
      Row row;
      row.image = &img;
      if (!digest_of_repo.empty()) {
        row.repository = image::familiar(digest_of_repo.begin()->first + ":x");
        row.repository = row.repository.substr(0, row.repository.rfind(':'));
        row.digest = digest_of_repo.begin()->second;
      }
      rows.push_back(row);
    }
  }

  if (o.quiet) {
    std::set<oci::Digest> seen;
    std::string text;
    for (const auto& r : rows)
      if (seen.insert(r.image->id).second) text += display_id(r.image->id, o.no_trunc) + "\n";
    return print(ctx.out, text);
  }
  int64_t now = static_cast<int64_t>(::time(nullptr));
  std::vector<json::Value> values;
  for (const auto& r : rows) {
    auto created = parse_rfc3339(r.image->created);
    json::Value v = json::Value::object();
    v["ID"] = display_id(r.image->id, o.no_trunc);
    v["Repository"] = r.repository;
    v["Tag"] = r.tag;
    v["Digest"] = r.digest;
    v["CreatedSince"] = time_ago(created, now);
    v["CreatedAt"] = created ? format_created_at(*created) : "";
    v["Size"] = human_size(r.image->size);
    v["VirtualSize"] = human_size(r.image->size);
    v["SharedSize"] = "N/A";
    v["UniqueSize"] = "N/A";
    v["Containers"] = "N/A";
    values.push_back(std::move(v));
  }
  std::string fallback =
      o.digests
          ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
          : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  static const std::map<std::string, std::string> kHeaders = {{"ID", "IMAGE ID"},
                                                              {"Repository", "REPOSITORY"},
                                                              {"Tag", "TAG"},
                                                              {"Digest", "DIGEST"},
                                                              {"CreatedSince", "CREATED"},
                                                              {"CreatedAt", "CREATED AT"},
                                                              {"Size", "SIZE"},
                                                              {"VirtualSize", "VIRTUAL SIZE"},
                                                              {"SharedSize", "SHARED SIZE"},
                                                              {"UniqueSize", "UNIQUE SIZE"},
                                                              {"Containers", "CONTAINERS"}};
  HAKO_TRY_ASSIGN(std::string text, format::render_rows(o.format, values, kHeaders, fallback));
  return print(ctx.out, text);
}

}  // namespace

void add_images(CLI::App& parent, Context& ctx, const char* name) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = parent.add_subcommand(name, "List images");
  cmd->add_flag("-q,--quiet", opts->quiet, "Only show image IDs");
  cmd->add_flag("-a,--all", opts->all, "Show all images (default hides intermediate images)");
  cmd->add_flag("--digests", opts->digests, "Show digests");
  cmd->add_flag("--no-trunc", opts->no_trunc, "Don't truncate output");
  cmd->add_option("-f,--filter", opts->filters, "Filter output based on conditions provided")
      ->allow_extra_args(false);
  cmd->add_option("--format", opts->format, "Format output using a Go template");
  cmd->add_option("repository", opts->repository, "REPOSITORY[:TAG]");
  cmd->callback([&ctx, opts] { ctx.status = run(ctx, *opts); });
}

}  // namespace hako::cli
