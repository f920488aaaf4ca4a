// image-spec structs → JSON, for documents hako creates (import, commit, save). The output is
// deterministic: nlohmann's object is a std::map, so keys come out sorted, and dump() adds no
// whitespace. The same struct therefore always hashes to the same digest and image id.
#include "json/reader.h"
#include "oci/image_spec.h"

namespace hako::oci {

using json::Value;

namespace {

template <typename T>
void put_if(Value& obj, const char* key, const T& v) {
  if (!v.empty()) obj[key] = v;
}

Value set_value(const std::set<std::string>& s) {
  Value obj = Value::object();
  for (const auto& k : s) obj[k] = Value::object();
  return obj;
}

Value platform_value(const Platform& p) {
  Value v = {{"architecture", p.architecture}, {"os", p.os}};
  put_if(v, "os.version", p.os_version);
  put_if(v, "os.features", p.os_features);
  put_if(v, "variant", p.variant);
  put_if(v, "features", p.features);
  return v;
}

Value descriptor_value(const Descriptor& d) {
  Value v = {{"mediaType", d.media_type}, {"digest", d.digest.to_string()}, {"size", d.size}};
  put_if(v, "urls", d.urls);
  put_if(v, "annotations", d.annotations);
  if (d.platform) v["platform"] = platform_value(*d.platform);
  put_if(v, "artifactType", d.artifact_type);
  put_if(v, "data", d.data);
  return v;
}

Value run_defaults_value(const RunDefaults& c) {
  Value v = Value::object();
  put_if(v, "User", c.user);
  if (!c.exposed_ports.empty()) v["ExposedPorts"] = set_value(c.exposed_ports);
  put_if(v, "Env", c.env);
  // Present-but-empty is meaningful for these two (it clears the base image's value).
  if (c.entrypoint) v["Entrypoint"] = *c.entrypoint;
  if (c.cmd) v["Cmd"] = *c.cmd;
  if (!c.volumes.empty()) v["Volumes"] = set_value(c.volumes);
  put_if(v, "WorkingDir", c.working_dir);
  put_if(v, "Labels", c.labels);
  put_if(v, "StopSignal", c.stop_signal);
  if (c.args_escaped) v["ArgsEscaped"] = true;
  if (c.healthcheck) {
    const Healthcheck& h = *c.healthcheck;
    Value hv = {{"Test", h.test}};
    if (h.interval) hv["Interval"] = h.interval;
    if (h.timeout) hv["Timeout"] = h.timeout;
    if (h.start_period) hv["StartPeriod"] = h.start_period;
    if (h.start_interval) hv["StartInterval"] = h.start_interval;
    if (h.retries) hv["Retries"] = h.retries;
    v["Healthcheck"] = std::move(hv);
  }
  put_if(v, "OnBuild", c.on_build);
  put_if(v, "Shell", c.shell);
  return v;
}

// Invalid UTF-8 in a label or env value must not make dump() throw: replace it with U+FFFD.
std::string dump(const Value& v) { return v.dump(-1, ' ', false, Value::error_handler_t::replace); }

}  // namespace

std::string to_json(const ImageConfig& c) {
  Value v = {{"architecture", c.architecture}, {"os", c.os}};
  put_if(v, "created", c.created);
  put_if(v, "author", c.author);
  put_if(v, "os.version", c.os_version);
  put_if(v, "os.features", c.os_features);
  put_if(v, "variant", c.variant);
  if (c.config) v["config"] = run_defaults_value(*c.config);
  Value diff_ids = Value::array();
  for (const auto& d : c.rootfs.diff_ids) diff_ids.push_back(d.to_string());
  v["rootfs"] = {{"type", c.rootfs.type}, {"diff_ids", std::move(diff_ids)}};
  if (!c.history.empty()) {
    Value history = Value::array();
    for (const auto& h : c.history) {
      Value hv = Value::object();
      put_if(hv, "created", h.created);
      put_if(hv, "author", h.author);
      put_if(hv, "created_by", h.created_by);
      put_if(hv, "comment", h.comment);
      if (h.empty_layer) hv["empty_layer"] = true;
      history.push_back(std::move(hv));
    }
    v["history"] = std::move(history);
  }
  return dump(v);
}

std::string to_json(const Manifest& m) {
  Value layers = Value::array();
  for (const auto& l : m.layers) layers.push_back(descriptor_value(l));
  Value v = {{"schemaVersion", m.schema_version},
             {"config", descriptor_value(m.config)},
             {"layers", std::move(layers)}};
  put_if(v, "mediaType", m.media_type);
  put_if(v, "artifactType", m.artifact_type);
  if (m.subject) v["subject"] = descriptor_value(*m.subject);
  put_if(v, "annotations", m.annotations);
  return dump(v);
}

std::string to_json(const Index& x) {
  Value manifests = Value::array();
  for (const auto& d : x.manifests) manifests.push_back(descriptor_value(d));
  Value v = {{"schemaVersion", x.schema_version}, {"manifests", std::move(manifests)}};
  put_if(v, "mediaType", x.media_type);
  put_if(v, "artifactType", x.artifact_type);
  if (x.subject) v["subject"] = descriptor_value(*x.subject);
  put_if(v, "annotations", x.annotations);
  return dump(v);
}

}  // namespace hako::oci
