// hako system df and hako system check.
#include "cli/commands.h"
#include "cli/units.h"
#include "format/render.h"
#include "image/check.h"
#include "json/reader.h"

namespace hako::cli {
namespace {

Status run_df(Context& ctx, const std::string& fmt_arg) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  HAKO_TRY_ASSIGN(auto images, store.metadata().list_images());
  // Layers shared by images count once, as Docker's SIZE column does.
  std::map<oci::Digest, int64_t> layers;
  for (const auto& i : images)
    for (const auto& l : i.layers) layers[l.chain_id] = l.size;
  int64_t size = 0;
  for (const auto& [c, s] : layers) size += s;
  // Images a container uses are active; their layers are not reclaimable.
  size_t active = 0;
  std::map<oci::Digest, int64_t> held;
  for (const auto& i : images) {
    HAKO_TRY_ASSIGN(auto users, store.metadata().containers_using(i.id));
    if (users.empty()) continue;
    ++active;
    for (const auto& l : i.layers) held[l.chain_id] = l.size;
  }
  int64_t reclaimable = size;
  for (const auto& [c, s] : held) reclaimable -= s;
  auto row = [](const std::string& type, size_t total, size_t in_use, int64_t sz, int64_t reclaim) {
    json::Value v = json::Value::object();
    v["Type"] = type;
    v["TotalCount"] = std::to_string(total);
    v["Active"] = std::to_string(in_use);
    v["Size"] = human_size(sz);
    int pct = sz > 0 ? static_cast<int>(100 * reclaim / sz) : 0;
    v["Reclaimable"] = human_size(reclaim) + (sz > 0 ? " (" + std::to_string(pct) + "%)" : "");
    return v;
  };
  std::vector<json::Value> rows = {row("Images", images.size(), active, size, reclaimable),
                                   row("Containers", 0, 0, 0, 0), row("Local Volumes", 0, 0, 0, 0),
                                   row("Build Cache", 0, 0, 0, 0)};
  std::string fallback =
      "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}";
  static const std::map<std::string, std::string> kHeaders = {{"Type", "TYPE"},
                                                              {"TotalCount", "TOTAL"},
                                                              {"Active", "ACTIVE"},
                                                              {"Size", "SIZE"},
                                                              {"Reclaimable", "RECLAIMABLE"}};
  HAKO_TRY_ASSIGN(std::string text, format::render_rows(fmt_arg, rows, kHeaders, fallback));
  return print(ctx.out, text);
}

Status run_check(Context& ctx, bool repair) {
  HAKO_TRY_ASSIGN(auto store, ctx.open_store());
  HAKO_TRY_ASSIGN(auto r, image::check_store(store, repair));
  std::string text;
  for (const auto& p : r.problems) text += (repair ? "repaired: " : "problem: ") + p + "\n";
  const char* verb = repair ? "removed" : "unused";
  text += "checked " + std::to_string(r.images) + " images, " + std::to_string(r.blobs) +
          " blobs, " + std::to_string(r.layers) + " layer references; " + verb + ": " +
          std::to_string(r.garbage.blobs) + " blobs, " + std::to_string(r.garbage.layers) +
          " layers (" + human_size(r.garbage.bytes) + ")";
  if (repair) text += ", " + std::to_string(r.garbage.debris) + " crash leftovers";
  text += "\n";
  HAKO_TRY(print(ctx.out, text));
  if (!r.problems.empty() && !repair)
    return failed_precondition("the store has " + std::to_string(r.problems.size()) +
                               " problems: run hako system check --repair");
  return ok();
}

}  // namespace

void add_system_df(CLI::App& parent, Context& ctx) {
  auto fmt = std::make_shared<std::string>();
  CLI::App* cmd = parent.add_subcommand("df", "Show hako disk usage");
  cmd->add_option("--format", *fmt, "Format output using a Go template");
  cmd->callback([&ctx, fmt] { ctx.status = run_df(ctx, *fmt); });
}

void add_system_check(CLI::App& parent, Context& ctx) {
  auto repair = std::make_shared<bool>(false);
  CLI::App* cmd = parent.add_subcommand("check", "Check the store's consistency (and repair it)");
  cmd->add_flag("-r,--repair", *repair, "Remove corrupt, broken and unused data");
  cmd->callback([&ctx, repair] { ctx.status = run_check(ctx, *repair); });
}

}  // namespace hako::cli
