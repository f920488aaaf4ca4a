#include "engine/inspect.h"

#include <ctime>

namespace hako::engine {
namespace {

json::Value or_null(const json::Value& v, const char* key) {
  if (!v.is_object() || !v.contains(key)) return nullptr;
  return v[key];
}

// Docker's inspect shows every field, set or not: what the container's definition leaves out
// is Docker's zero value (dockerd 20.10's defaults where they are not zero).
json::Value with_defaults(json::Value given, const json::Value& defaults) {
  json::Value out = defaults;
  if (given.is_object())
    for (auto it = given.begin(); it != given.end(); ++it)
      if (!it.value().is_null() || !out.contains(it.key())) out[it.key()] = it.value();
  return out;
}

const json::Value& config_defaults() {
  static const json::Value kDefaults = {{"Hostname", ""},
                                        {"Domainname", ""},
                                        {"User", ""},
                                        {"AttachStdin", false},
                                        {"AttachStdout", false},
                                        {"AttachStderr", false},
                                        {"Tty", false},
                                        {"OpenStdin", false},
                                        {"StdinOnce", false},
                                        {"Env", nullptr},
                                        {"Cmd", nullptr},
                                        {"Image", ""},
                                        {"Volumes", nullptr},
                                        {"WorkingDir", ""},
                                        {"Entrypoint", nullptr},
                                        {"OnBuild", nullptr},
                                        {"Labels", json::Value::object()}};
  return kDefaults;
}

const json::Value& host_config_defaults() {
  static const json::Value kDefaults = {
      {"Binds", nullptr},
      {"ContainerIDFile", ""},
      {"LogConfig", {{"Type", "json-file"}, {"Config", json::Value::object()}}},
      {"NetworkMode", "none"},
      {"PortBindings", json::Value::object()},
      {"RestartPolicy", {{"Name", "no"}, {"MaximumRetryCount", 0}}},
      {"AutoRemove", false},
      {"VolumeDriver", ""},
      {"VolumesFrom", nullptr},
      {"CapAdd", nullptr},
      {"CapDrop", nullptr},
      {"CgroupnsMode", "host"},
      {"Dns", json::Value::array()},
      {"DnsOptions", json::Value::array()},
      {"DnsSearch", json::Value::array()},
      {"ExtraHosts", nullptr},
      {"GroupAdd", nullptr},
      {"IpcMode", "private"},
      {"Cgroup", ""},
      {"Links", nullptr},
      {"OomScoreAdj", 0},
      {"PidMode", ""},
      {"Privileged", false},
      {"PublishAllPorts", false},
      {"ReadonlyRootfs", false},
      {"SecurityOpt", nullptr},
      {"UTSMode", ""},
      {"UsernsMode", ""},
      {"ShmSize", 67108864},
      {"Runtime", "hako"},
      {"ConsoleSize", {0, 0}},
      {"Isolation", ""},
      {"CpuShares", 0},
      {"Memory", 0},
      {"NanoCpus", 0},
      {"CgroupParent", ""},
      {"BlkioWeight", 0},
      {"BlkioWeightDevice", json::Value::array()},
      {"BlkioDeviceReadBps", nullptr},
      {"BlkioDeviceWriteBps", nullptr},
      {"BlkioDeviceReadIOps", nullptr},
      {"BlkioDeviceWriteIOps", nullptr},
      {"CpuPeriod", 0},
      {"CpuQuota", 0},
      {"CpuRealtimePeriod", 0},
      {"CpuRealtimeRuntime", 0},
      {"CpusetCpus", ""},
      {"CpusetMems", ""},
      {"Devices", json::Value::array()},
      {"DeviceCgroupRules", nullptr},
      {"DeviceRequests", nullptr},
      {"KernelMemory", 0},
      {"KernelMemoryTCP", 0},
      {"MemoryReservation", 0},
      {"MemorySwap", 0},
      {"MemorySwappiness", nullptr},
      {"OomKillDisable", false},
      {"PidsLimit", nullptr},
      {"Ulimits", nullptr},
      {"CpuCount", 0},
      {"CpuPercent", 0},
      {"IOMaximumIOps", 0},
      {"IOMaximumBandwidth", 0},
      {"Init", nullptr},
      {"Tmpfs", nullptr},
  };
  return kDefaults;
}

// Docker's Mounts: the container's volumes and binds, from its OCI spec (what was mounted,
// resolved), leaving out what hako itself binds (hosts, hostname, resolv.conf, hako-init).
json::Value mounts_of(const json::Value* spec, const ContainerPaths& p,
                      const std::string& volumes_root) {
  json::Value out = json::Value::array();
  if (!spec || !spec->contains("mounts") || !(*spec)["mounts"].is_array()) return out;
  for (const auto& m : (*spec)["mounts"]) {
    std::string src = m.value("source", ""), dst = m.value("destination", "");
    std::string type = m.value("type", "");
    bool bind = type == "bind" || type.empty();
    if (!bind || src.empty() || src.rfind(p.dir + "/", 0) == 0 || dst == "/sbin/hako-init")
      continue;
    bool rw = true;
    std::string propagation;
    if (m.contains("options") && m["options"].is_array())
      for (const auto& o : m["options"]) {
        std::string opt = o.is_string() ? o.get<std::string>() : "";
        if (opt == "ro") rw = false;
        if (opt.find("private") != std::string::npos || opt.find("slave") != std::string::npos ||
            opt.find("shared") != std::string::npos)
          propagation = opt;
      }
    json::Value e;
    std::string prefix = volumes_root + "/";
    if (src.rfind(prefix, 0) == 0) {
      std::string name = src.substr(prefix.size());
      name = name.substr(0, name.find('/'));
      e = {{"Type", "volume"},  {"Name", name}, {"Source", src}, {"Destination", dst},
           {"Driver", "local"}, {"Mode", ""},   {"RW", rw},      {"Propagation", ""}};
    } else {
      e = {{"Type", "bind"},     {"Source", src},
           {"Destination", dst}, {"Mode", rw ? "" : "ro"},
           {"RW", rw},           {"Propagation", propagation.empty() ? "rprivate" : propagation}};
    }
    out.push_back(std::move(e));
  }
  return out;
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

json::Value inspect_container(const ContainerRecord& c, const LiveState& s, const ContainerPaths& p,
                              const json::Value* spec, const std::string& volumes_root) {
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
  json::Value host = with_defaults(or_null(create, "HostConfig"), host_config_defaults());
  json::Value config = with_defaults(or_null(c.definition, "Config"), config_defaults());
  if (config["Image"] == "") config["Image"] = or_null(c.definition, "ImageName");
  // Docker shows the hostname the container got: the id's first 12 characters by default.
  if (config["Hostname"] == "") config["Hostname"] = c.id.substr(0, 12);
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
      {"Mounts", mounts_of(spec, p, volumes_root)},
      {"Config", config},
      {"NetworkSettings",
       {{"Bridge", ""},
        {"SandboxID", ""},
        {"Ports", json::Value::object()},
        {"Networks", json::Value::object()}}},
  };
}

}  // namespace hako::engine
