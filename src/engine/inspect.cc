#include "engine/inspect.h"

#include <ctime>

namespace hako::engine {
namespace {

json::Value or_null(const json::Value& v, const char* key) {
  if (!v.is_object() || !v.contains(key)) return nullptr;
  return v[key];
}

}  // namespace

std::string rfc3339_nano(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1'000'000'000);
  tm t{};
  ::gmtime_r(&secs, &t);
  char buf[64];
  size_t n = ::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  ::snprintf(buf + n, sizeof buf - n, ".%09lldZ", static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

std::vector<std::string> container_command(const ContainerRecord& c) {
  std::vector<std::string> out;
  const json::Value config = or_null(c.definition, "Config");
  for (const char* key : {"Entrypoint", "Cmd"}) {
    json::Value v = or_null(config, key);
    if (!v.is_array()) continue;
    for (const auto& a : v)
      if (a.is_string()) out.push_back(a.get<std::string>());
  }
  return out;
}

json::Value inspect_container(const ContainerRecord& c, const LiveState& s,
                              const ContainerPaths& p) {
  std::vector<std::string> cmd = container_command(c);
  json::Value args = json::Value::array();
  for (size_t i = 1; i < cmd.size(); ++i) args.push_back(cmd[i]);
  const shim::ShimState& r = s.record;
  bool running = s.status == "running" || s.status == "paused" || s.status == "restarting";
  json::Value state = {
      {"Status", s.status},
      {"Running", running},
      {"Paused", s.status == "paused"},
      {"Restarting", s.status == "restarting"},
      {"OOMKilled", r.oom_killed},
      {"Dead", s.status == "dead"},
      {"Pid", running ? r.pid : 0},
      {"ExitCode", r.exit_code},
      {"Error", r.error},
      {"StartedAt", r.started_at.empty() ? "0001-01-01T00:00:00Z" : r.started_at},
      {"FinishedAt", r.finished_at.empty() ? "0001-01-01T00:00:00Z" : r.finished_at},
  };
  if (!r.health.empty()) {
    auto log = json::parse(r.health_log.empty() ? "[]" : r.health_log, "health log");
    state["Health"] = {{"Status", r.health},
                       {"FailingStreak", r.health_failing_streak},
                       {"Log", log ? *log : json::Value::array()}};
  }
  json::Value create = or_null(c.definition, "Create");
  json::Value host = or_null(create, "HostConfig");
  if (!host.is_object()) host = json::Value::object();
  json::Value config = or_null(c.definition, "Config");
  if (!config.is_object()) config = json::Value::object();
  if (!config.contains("Image")) config["Image"] = or_null(c.definition, "ImageName");
  return {
      {"Id", c.id},
      {"Created", rfc3339_nano(c.created)},
      {"Path", cmd.empty() ? "" : cmd[0]},
      {"Args", args},
      {"State", state},
      {"Image", c.image},
      {"ResolvConfPath", p.resolv_conf()},
      {"HostnamePath", p.hostname()},
      {"HostsPath", p.hosts()},
      {"LogPath", p.log()},
      {"Name", "/" + c.name},
      {"RestartCount", r.restart_count},
      {"Driver", "overlay"},
      {"Platform", "linux"},
      {"MountLabel", ""},
      {"ProcessLabel", ""},
      {"AppArmorProfile", ""},
      {"ExecIDs", nullptr},
      {"HostConfig", host},
      {"GraphDriver",
       {{"Name", "overlay"},
        {"Data", {{"MergedDir", p.rootfs()}, {"UpperDir", p.upper()}, {"WorkDir", p.work()}}}}},
      {"Mounts", json::Value::array()},
      {"Config", config},
      {"NetworkSettings",
       {{"Bridge", ""},
        {"SandboxID", ""},
        {"Ports", json::Value::object()},
        {"Networks", json::Value::object()}}},
  };
}

}  // namespace hako::engine
