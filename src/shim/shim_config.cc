#include "shim/shim_config.h"

namespace hako::shim {

Result<ShimConfig> parse_shim_config(std::string_view text) {
  HAKO_TRY_ASSIGN(json::Value v, json::parse(text, "shim config"));
  HAKO_TRY(json::require_object(v, ""));
  ShimConfig c;
  auto field = [&](const char* key, auto& out) -> Status {
    if (!v.contains(key)) return ok();
    return json::read_value(v[key], key, out);
  };
  HAKO_TRY(field("id", c.id));
  HAKO_TRY(field("bundle", c.bundle));
  HAKO_TRY(field("run_dir", c.run_dir));
  HAKO_TRY(field("runtime_root", c.runtime_root));
  HAKO_TRY(field("log_path", c.log_path));
  HAKO_TRY(field("log_max_size", c.log_max_size));
  HAKO_TRY(field("log_max_files", c.log_max_files));
  HAKO_TRY(field("tty", c.tty));
  HAKO_TRY(field("open_stdin", c.open_stdin));
  HAKO_TRY(field("stdin_once", c.stdin_once));
  HAKO_TRY(field("stop_signal", c.stop_signal));
  HAKO_TRY(field("stop_timeout", c.stop_timeout));
  HAKO_TRY(field("remove_command", c.remove_command));
  HAKO_TRY(field("root", c.root));
  HAKO_TRY(field("event_attributes", c.event_attributes));
  HAKO_TRY(field("volume_dirs", c.volume_dirs));
  if (v.contains("volume_mounts")) {
    const auto& vm = v["volume_mounts"];
    if (!vm.is_array()) return invalid_argument("shim config: volume_mounts: not an array");
    for (const auto& m : vm) {
      HAKO_TRY(json::require_object(m, "volume_mounts"));
      VolumeMount out;
      if (m.contains("name")) HAKO_TRY(json::read_value(m["name"], "volume_mounts.name", out.name));
      if (m.contains("destination"))
        HAKO_TRY(json::read_value(m["destination"], "volume_mounts.destination", out.destination));
      if (m.contains("rw")) HAKO_TRY(json::read_value(m["rw"], "volume_mounts.rw", out.rw));
      c.volume_mounts.push_back(std::move(out));
    }
  }
  if (v.contains("restart")) {
    const auto& r = v["restart"];
    HAKO_TRY(json::require_object(r, "restart"));
    if (r.contains("name")) HAKO_TRY(json::read_value(r["name"], "restart.name", c.restart.name));
    if (r.contains("max_retries"))
      HAKO_TRY(json::read_value(r["max_retries"], "restart.max_retries", c.restart.max_retries));
  }
  if (v.contains("health")) {
    const auto& h = v["health"];
    HAKO_TRY(json::require_object(h, "health"));
    if (h.contains("test")) HAKO_TRY(json::read_value(h["test"], "health.test", c.health.test));
    if (h.contains("interval"))
      HAKO_TRY(json::read_value(h["interval"], "health.interval", c.health.interval_ns));
    if (h.contains("timeout"))
      HAKO_TRY(json::read_value(h["timeout"], "health.timeout", c.health.timeout_ns));
    if (h.contains("start_period"))
      HAKO_TRY(
          json::read_value(h["start_period"], "health.start_period", c.health.start_period_ns));
    if (h.contains("retries"))
      HAKO_TRY(json::read_value(h["retries"], "health.retries", c.health.retries));
  }
  if (c.id.empty() || c.bundle.empty() || c.run_dir.empty() || c.runtime_root.empty())
    return invalid_argument("shim config: id, bundle, run_dir and runtime_root are required");
  return c;
}

json::Value shim_config_json(const ShimConfig& c) {
  json::Value v = {
      {"id", c.id},
      {"bundle", c.bundle},
      {"run_dir", c.run_dir},
      {"runtime_root", c.runtime_root},
      {"log_path", c.log_path},
      {"log_max_size", c.log_max_size},
      {"log_max_files", c.log_max_files},
      {"tty", c.tty},
      {"open_stdin", c.open_stdin},
      {"stdin_once", c.stdin_once},
      {"stop_signal", c.stop_signal},
      {"stop_timeout", c.stop_timeout},
      {"remove_command", c.remove_command},
      {"root", c.root},
      {"event_attributes", c.event_attributes},
      {"volume_dirs", c.volume_dirs},
      {"restart", {{"name", c.restart.name}, {"max_retries", c.restart.max_retries}}},
      {"health",
       {{"test", c.health.test},
        {"interval", c.health.interval_ns},
        {"timeout", c.health.timeout_ns},
        {"start_period", c.health.start_period_ns},
        {"retries", c.health.retries}}},
  };
  // Only when there are any: most containers have none, and the config is on the start path.
  for (const auto& m : c.volume_mounts)
    v["volume_mounts"].push_back({{"name", m.name}, {"destination", m.destination}, {"rw", m.rw}});
  return v;
}

}  // namespace hako::shim
