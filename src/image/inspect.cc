#include "image/inspect.h"

#include "oci/reference.h"

namespace hako::image {
namespace {

json::Value string_list(const std::vector<std::string>& v) {
  json::Value out = json::Value::array();
  for (const auto& s : v) out.push_back(s);
  return out;
}

json::Value set_object(const std::set<std::string>& v) {
  if (v.empty()) return nullptr;
  json::Value out = json::Value::object();
  for (const auto& s : v) out[s] = json::Value::object();
  return out;
}

}  // namespace

json::Value run_defaults_json(const oci::RunDefaults& run) {
  json::Value c = json::Value::object();
  c["Hostname"] = "";
  c["Domainname"] = "";
  c["User"] = run.user;
  c["AttachStdin"] = false;
  c["AttachStdout"] = false;
  c["AttachStderr"] = false;
  c["ExposedPorts"] = set_object(run.exposed_ports);
  c["Tty"] = false;
  c["OpenStdin"] = false;
  c["StdinOnce"] = false;
  c["Env"] = run.env.empty() ? json::Value(nullptr) : string_list(run.env);
  c["Cmd"] = run.cmd ? string_list(*run.cmd) : json::Value(nullptr);
  if (run.healthcheck) {
    json::Value h = json::Value::object();
    h["Test"] = string_list(run.healthcheck->test);
    if (run.healthcheck->interval) h["Interval"] = run.healthcheck->interval;
    if (run.healthcheck->timeout) h["Timeout"] = run.healthcheck->timeout;
    if (run.healthcheck->start_period) h["StartPeriod"] = run.healthcheck->start_period;
    if (run.healthcheck->retries) h["Retries"] = run.healthcheck->retries;
    c["Healthcheck"] = h;
  }
  c["Image"] = "";
  c["Volumes"] = set_object(run.volumes);
  c["WorkingDir"] = run.working_dir;
  c["Entrypoint"] = run.entrypoint ? string_list(*run.entrypoint) : json::Value(nullptr);
  c["OnBuild"] = run.on_build.empty() ? json::Value(nullptr) : string_list(run.on_build);
  json::Value labels = json::Value::object();
  for (const auto& [k, v] : run.labels) labels[k] = v;
  c["Labels"] = run.labels.empty() ? json::Value(nullptr) : labels;
  if (!run.stop_signal.empty()) c["StopSignal"] = run.stop_signal;
  if (!run.shell.empty()) c["Shell"] = string_list(run.shell);
  return c;
}

json::Value inspect_json(const LoadedImage& image, const std::vector<std::string>& lower_dirs) {
  const auto& cfg = image.config;
  json::Value out = json::Value::object();
  out["Id"] = image.record.id.to_string();
  json::Value tags = json::Value::array(), digests = json::Value::array();
  for (const auto& r : image.refs) (r.find('@') == r.npos ? tags : digests).push_back(familiar(r));
  out["RepoTags"] = tags;
  out["RepoDigests"] = digests;
  out["Parent"] = "";
  out["Comment"] = cfg.history.empty() ? "" : cfg.history.back().comment;
  out["Created"] = cfg.created;
  out["DockerVersion"] = "";
  out["Author"] = cfg.author;
  out["Config"] = cfg.config ? run_defaults_json(*cfg.config) : json::Value(nullptr);
  out["Architecture"] = cfg.architecture;
  if (!cfg.variant.empty()) out["Variant"] = cfg.variant;
  out["Os"] = cfg.os;
  out["Size"] = image.record.size;
  out["VirtualSize"] = image.record.size;
  json::Value data = json::Value::object();
  if (!lower_dirs.empty()) {
    std::string lowers;
    for (size_t i = 1; i < lower_dirs.size(); ++i) lowers += (i > 1 ? ":" : "") + lower_dirs[i];
    data["UpperDir"] = lower_dirs.front();  // the top layer, as Docker names it for an image
    if (!lowers.empty()) data["LowerDir"] = lowers;
  }
  out["GraphDriver"] = {{"Name", "overlay2"}, {"Data", data}};
  json::Value layers = json::Value::array();
  for (const auto& d : cfg.rootfs.diff_ids) layers.push_back(d.to_string());
  out["RootFS"] = {{"Type", cfg.rootfs.type}, {"Layers", layers}};
  out["Metadata"] = {{"LastTagTime", "0001-01-01T00:00:00Z"}};
  out["ManifestDigest"] = image.record.manifest.to_string();
  return out;
}

std::vector<HistoryRow> history_rows(const LoadedImage& image) {
  std::vector<HistoryRow> rows;
  size_t layer = 0;
  const auto& layers = image.record.layers;
  for (const auto& h : image.config.history) {
    HistoryRow r;
    r.id = "<missing>";
    r.created = h.created;
    r.created_by = h.created_by;
    r.comment = h.comment;
    r.empty_layer = h.empty_layer;
    if (!h.empty_layer && layer < layers.size()) r.size = layers[layer++].size;
    rows.push_back(std::move(r));
  }
  // Configs without history (some hand-made ones): one row per layer.
  if (rows.empty()) {
    for (const auto& l : layers) {
      HistoryRow r;
      r.id = "<missing>";
      r.created = image.config.created;
      r.size = l.size;
      rows.push_back(std::move(r));
    }
  }
  std::reverse(rows.begin(), rows.end());
  if (!rows.empty()) rows.front().id = image.record.id.to_string();
  return rows;
}

}  // namespace hako::image
