// Docker's merge(userConf, imageConf) from moby's daemon/commit.go, field by field.
#include <set>

#include "engine/spec_builder.h"

namespace hako::engine {

using nlohmann::json;

namespace {

bool is_empty(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ||
         ((it->is_array() || it->is_object() || it->is_string()) && it->empty());
}

std::string env_name(const std::string& kv) { return kv.substr(0, kv.find('=')); }

Status check_type(const json& obj, const char* key, json::value_t type, const char* what) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null() || it->type() == type) return ok();
  return invalid_argument(std::string(key) + ": expected " + what);
}

}  // namespace

Result<json> merge_config(const json& create, const json& image) {
  if (!create.is_object()) return invalid_argument("container definition: expected an object");
  if (!image.is_null() && !image.is_object())
    return invalid_argument("image config: expected an object");
  const json& img = image.is_object() ? image : json::object();
  for (const char* k : {"Env", "Cmd", "Entrypoint"})
    HAKO_TRY(check_type(create, k, json::value_t::array, "an array of strings"));
  for (const char* k : {"Labels", "Volumes", "ExposedPorts", "Healthcheck"})
    HAKO_TRY(check_type(create, k, json::value_t::object, "an object"));

  json out = create;
  out.erase("HostConfig");
  out.erase("NetworkingConfig");
  auto take = [&](const char* key) {
    if (is_empty(out, key) && !is_empty(img, key)) out[key] = img[key];
  };
  take("User");
  take("WorkingDir");
  take("StopSignal");

  if (is_empty(out, "ExposedPorts")) {
    take("ExposedPorts");
  } else if (img.contains("ExposedPorts") && img["ExposedPorts"].is_object()) {
    for (auto& [port, v] : img["ExposedPorts"].items())
      if (!out["ExposedPorts"].contains(port)) out["ExposedPorts"][port] = v;
  }

  if (is_empty(out, "Env")) {
    if (!is_empty(img, "Env")) out["Env"] = img["Env"];
  } else if (img.contains("Env") && img["Env"].is_array()) {
    std::set<std::string> names;
    for (const auto& e : out["Env"])
      if (e.is_string()) names.insert(env_name(e.get<std::string>()));
    for (const auto& e : img["Env"])
      if (e.is_string() && !names.count(env_name(e.get<std::string>()))) out["Env"].push_back(e);
  }

  if (!out.contains("Labels") || !out["Labels"].is_object()) out["Labels"] = json::object();
  if (img.contains("Labels") && img["Labels"].is_object()) {
    for (auto& [k, v] : img["Labels"].items())
      if (!out["Labels"].contains(k)) out["Labels"][k] = v;
  }

  // An Entrypoint in the request (the CLI sends [""] for `--entrypoint ""`) replaces the
  // image's Entrypoint and drops its Cmd; without one, the image's Cmd fills an empty Cmd.
  bool entrypoint_given =
      out.contains("Entrypoint") && out["Entrypoint"].is_array() && !out["Entrypoint"].empty();
  if (!entrypoint_given) {
    if (is_empty(out, "Cmd") && img.contains("Cmd")) {
      out["Cmd"] = img["Cmd"];
      if (img.contains("ArgsEscaped")) out["ArgsEscaped"] = img["ArgsEscaped"];
    }
    if (!out.contains("Entrypoint") || out["Entrypoint"].is_null())
      out["Entrypoint"] = img.value("Entrypoint", json());
  } else if (out["Entrypoint"] == json::array({""})) {
    out["Entrypoint"] = nullptr;
  }

  if (img.contains("Healthcheck") && img["Healthcheck"].is_object()) {
    if (is_empty(out, "Healthcheck")) {
      out["Healthcheck"] = img["Healthcheck"];
    } else {
      json& hc = out["Healthcheck"];
      for (const char* k : {"Test", "Interval", "Timeout", "StartPeriod", "Retries"}) {
        bool unset = !hc.contains(k) || hc[k].is_null() || (hc[k].is_array() && hc[k].empty()) ||
                     (hc[k].is_number() && hc[k].get<int64_t>() == 0);
        if (unset && img["Healthcheck"].contains(k)) hc[k] = img["Healthcheck"][k];
      }
    }
  }

  if (is_empty(out, "Volumes")) {
    out["Volumes"] =
        img.contains("Volumes") && img["Volumes"].is_object() && !img["Volumes"].empty()
            ? img["Volumes"]
            : json();
  } else if (img.contains("Volumes") && img["Volumes"].is_object()) {
    for (auto& [k, v] : img["Volumes"].items()) out["Volumes"][k] = v;
  }
  for (const char* k : {"Env", "Cmd", "Entrypoint", "Labels"}) {
    const json& v = out[k];
    if (!v.is_array()) continue;
    for (size_t i = 0; i < v.size(); ++i)
      if (!v[i].is_string())
        return invalid_argument(std::string(k) + "[" + std::to_string(i) + "]: expected string");
  }
  return out;
}

}  // namespace hako::engine
