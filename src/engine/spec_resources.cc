// Cgroup resources, rlimits, sysctls and devices with dockerd's validation and wording
// (daemon/daemon_unix.go verifyPlatformContainerResources, opts/ulimit, opts.ValidateSysctl).
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstring>

#include "engine/spec_parts.h"
#include "sys/file.h"

namespace hako::engine::spec {

namespace {

constexpr int64_t kMinMemory = 6 << 20;

Result<json> device_entry(const std::string& host, const std::string& ctr, const std::string& perms,
                          json& rules, const std::string& field) {
  struct stat st;
  if (::stat(host.c_str(), &st) != 0)
    return invalid_argument(field +
                            ": error gathering device information while adding custom "
                            "device \"" +
                            host + "\": " + std::strerror(errno));
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
    return invalid_argument(field +
                            ": error gathering device information while adding custom "
                            "device \"" +
                            host + "\": not a device node");
  const char* type = S_ISCHR(st.st_mode) ? "c" : "b";
  int64_t major = ::major(st.st_rdev), minor = ::minor(st.st_rdev);
  rules.push_back(
      {{"allow", true}, {"type", type}, {"major", major}, {"minor", minor}, {"access", perms}});
  return json{{"path", ctr},
              {"type", type},
              {"major", major},
              {"minor", minor},
              {"fileMode", st.st_mode & 0777},
              {"uid", st.st_uid},
              {"gid", st.st_gid}};
}

// Every device node under dir (--privileged), skipping what the container gets anyway.
void host_devices(const std::string& dir, json& out) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == ".." || n == "pts" || n == "shm" || n == "fd" || n == "mqueue" ||
        n == "console" || n == ".lxc" || n == ".udev")
      continue;
    std::string p = dir + "/" + n;
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      host_devices(p, out);
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      if (S_ISCHR(st.st_mode) && ::major(st.st_rdev) == 0) continue;
      out.push_back({{"path", p},
                     {"type", S_ISCHR(st.st_mode) ? "c" : "b"},
                     {"major", ::major(st.st_rdev)},
                     {"minor", ::minor(st.st_rdev)},
                     {"fileMode", st.st_mode & 0777},
                     {"uid", st.st_uid},
                     {"gid", st.st_gid}});
    }
  }
  ::closedir(d);
}

Result<json> parse_cgroup_rule(const std::string& rule, const std::string& field) {
  // "c 1:3 rwm", "a *:* m", "b 8:* r" (docker's --device-cgroup-rule).
  char type = 0;
  char maj[32], min[32], access[8];
  if (std::sscanf(rule.c_str(), "%c %31[0-9*]:%31[0-9*] %7[rwm]", &type, maj, min, access) != 4 ||
      (type != 'a' && type != 'b' && type != 'c'))
    return invalid_argument(field + ": invalid device cgroup format '" + rule + "'");
  json r = {{"allow", true}, {"type", std::string(1, type)}, {"access", access}};
  if (std::strcmp(maj, "*") != 0) r["major"] = std::stoll(maj);
  if (std::strcmp(min, "*") != 0) r["minor"] = std::stoll(min);
  return r;
}

}  // namespace

Result<json> build_resources(const json& hc) {
  const std::string p = "HostConfig";
  json res = json::object();
  HAKO_TRY_ASSIGN(int64_t memory, get_int(hc, p, "Memory"));
  HAKO_TRY_ASSIGN(int64_t swap, get_int(hc, p, "MemorySwap"));
  HAKO_TRY_ASSIGN(int64_t reservation, get_int(hc, p, "MemoryReservation"));
  HAKO_TRY_ASSIGN(bool oom_kill_disable, get_bool(hc, p, "OomKillDisable"));
  if (memory < 0) return invalid_argument("HostConfig.Memory: must not be negative");
  if (memory > 0 && memory < kMinMemory)
    return invalid_argument("HostConfig.Memory: Minimum memory limit allowed is 6MB");
  if (memory > 0 && swap > 0 && swap < memory)
    return invalid_argument(
        "HostConfig.MemorySwap: Minimum memoryswap limit should be larger "
        "than memory limit, see usage");
  if (memory == 0 && swap > 0)
    return invalid_argument(
        "HostConfig.MemorySwap: You should always set the Memory limit when "
        "using Memoryswap limit, see usage");
  if (memory > 0 && reservation > memory)
    return invalid_argument(
        "HostConfig.MemoryReservation: Minimum memory limit can not be less "
        "than memory reservation limit, see usage");
  json mem = json::object();
  if (memory > 0) mem["limit"] = memory;
  if (reservation > 0) mem["reservation"] = reservation;
  // Docker: MemorySwap 0 with a memory limit means twice the limit; -1 unlimited. Without swap
  // accounting in the kernel dockerd drops the swap limit (with a warning); so do we.
  bool swap_accounting = sys::exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") ||
                         sys::exists("/sys/fs/cgroup/cgroup.controllers");
  if (memory > 0 && swap_accounting) mem["swap"] = swap == 0 ? memory * 2 : swap;
  if (oom_kill_disable) mem["disableOOMKiller"] = true;
  if (!mem.empty()) res["memory"] = mem;

  HAKO_TRY_ASSIGN(int64_t nano_cpus, get_int(hc, p, "NanoCpus"));
  HAKO_TRY_ASSIGN(int64_t shares, get_int(hc, p, "CpuShares"));
  HAKO_TRY_ASSIGN(int64_t period, get_int(hc, p, "CpuPeriod"));
  HAKO_TRY_ASSIGN(int64_t quota, get_int(hc, p, "CpuQuota"));
  HAKO_TRY_ASSIGN(std::string cpus, get_string(hc, p, "CpusetCpus"));
  HAKO_TRY_ASSIGN(std::string mems, get_string(hc, p, "CpusetMems"));
  if (nano_cpus != 0 && (period != 0 || quota != 0))
    return invalid_argument(
        "HostConfig.NanoCpus: Conflicting options: Nano CPUs and CPU "
        "Period/Quota cannot both be set");
  if (nano_cpus < 0) return invalid_argument("HostConfig.NanoCpus: must not be negative");
  if (shares < 0) return invalid_argument("HostConfig.CpuShares: must not be negative");
  json cpu = json::object();
  if (shares > 0) cpu["shares"] = shares;
  if (nano_cpus > 0) {
    cpu["period"] = 100000;
    cpu["quota"] = nano_cpus * 100000 / 1000000000;
  }
  if (period > 0) cpu["period"] = period;
  if (quota != 0) cpu["quota"] = quota;
  if (!cpus.empty()) cpu["cpus"] = cpus;
  if (!mems.empty()) cpu["mems"] = mems;
  if (!cpu.empty()) res["cpu"] = cpu;

  HAKO_TRY_ASSIGN(int64_t pids, get_int(hc, p, "PidsLimit"));
  if (pids > 0) res["pids"] = {{"limit", pids}};
  return res;
}

Result<json> build_rlimits(const json& hc) {
  static const char* const kNames[] = {
      "as",   "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue",
      "nice", "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};
  json out = json::array();
  if (!hc.is_object() || !hc.contains("Ulimits") || hc["Ulimits"].is_null()) return out;
  if (!hc["Ulimits"].is_array()) return invalid_argument("HostConfig.Ulimits: expected array");
  for (size_t i = 0; i < hc["Ulimits"].size(); ++i) {
    const json& u = hc["Ulimits"][i];
    std::string f = "HostConfig.Ulimits[" + std::to_string(i) + "]";
    HAKO_TRY_ASSIGN(std::string name, get_string(u, f, "Name"));
    HAKO_TRY_ASSIGN(int64_t soft, get_int(u, f, "Soft"));
    HAKO_TRY_ASSIGN(int64_t hard, get_int(u, f, "Hard"));
    if (std::none_of(std::begin(kNames), std::end(kNames),
                     [&](const char* n) { return name == n; }))
      return invalid_argument(f + ": invalid ulimit type: " + name);
    if (soft > hard)
      return invalid_argument(f + ": ulimit soft limit must be less than or equal to hard limit: " +
                              std::to_string(soft) + " > " + std::to_string(hard));
    std::string type = "RLIMIT_";
    for (char c : name) type += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // -1 is unlimited (RLIM_INFINITY) in Docker's --ulimit.
    auto value = [](int64_t v) { return v < 0 ? UINT64_MAX : static_cast<uint64_t>(v); };
    out.push_back({{"type", type}, {"hard", value(hard)}, {"soft", value(soft)}});
  }
  return out;
}

Result<json> build_sysctls(const json& hc, bool own_network) {
  static const char* const kIpc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                     "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                     "kernel.shmmni", "kernel.shm_rmid_forced"};
  json out = json::object();
  // Docker 20.10 lets unprivileged processes bind low ports and ping in a private network
  // namespace (only there: on the host's these would change the host).
  if (own_network) {
    out["net.ipv4.ip_unprivileged_port_start"] = "0";
    out["net.ipv4.ping_group_range"] = "0 2147483647";
  }
  if (!hc.is_object() || !hc.contains("Sysctls") || hc["Sysctls"].is_null()) return out;
  if (!hc["Sysctls"].is_object()) return invalid_argument("HostConfig.Sysctls: expected object");
  for (auto& [k, v] : hc["Sysctls"].items()) {
    std::string f = "HostConfig.Sysctls." + k;
    if (!v.is_string()) return invalid_argument(f + ": expected string");
    bool allowed =
        k.rfind("fs.mqueue.", 0) == 0 || k.rfind("net.", 0) == 0 ||
        std::any_of(std::begin(kIpc), std::end(kIpc), [&](const char* n) { return k == n; });
    if (!allowed || k.find("..") != std::string::npos || k.find('/') != std::string::npos)
      return invalid_argument(f + ": sysctl '" + k + "=" + v.get<std::string>() +
                              "' is not whitelisted");
    if (k.rfind("net.", 0) == 0 && !own_network)
      return invalid_argument(f + ": sysctl '" + k +
                              "' is not allowed in the host network "
                              "namespace");
    out[k] = v;
  }
  return out;
}

Result<json> build_devices(const json& hc, bool privileged, json& rules) {
  json out = json::array();
  if (privileged) {
    host_devices("/dev", out);
    rules = json::array({{{"allow", true}, {"access", "rwm"}}});
    return out;
  }
  if (hc.is_object() && hc.contains("Devices") && !hc["Devices"].is_null()) {
    if (!hc["Devices"].is_array()) return invalid_argument("HostConfig.Devices: expected array");
    for (size_t i = 0; i < hc["Devices"].size(); ++i) {
      const json& d = hc["Devices"][i];
      std::string f = "HostConfig.Devices[" + std::to_string(i) + "]";
      HAKO_TRY_ASSIGN(std::string host, get_string(d, f, "PathOnHost"));
      HAKO_TRY_ASSIGN(std::string ctr, get_string(d, f, "PathInContainer"));
      HAKO_TRY_ASSIGN(std::string perms, get_string(d, f, "CgroupPermissions"));
      if (ctr.empty()) ctr = host;
      if (perms.empty()) perms = "rwm";
      if (perms.find_first_not_of("rwm") != std::string::npos)
        return invalid_argument(f + ".CgroupPermissions: invalid device mode: " + perms);
      HAKO_TRY_ASSIGN(json dev, device_entry(host, ctr, perms, rules, f));
      out.push_back(std::move(dev));
    }
  }
  HAKO_TRY_ASSIGN(auto cgroup_rules, get_strings(hc, "HostConfig", "DeviceCgroupRules"));
  for (size_t i = 0; i < cgroup_rules.size(); ++i) {
    HAKO_TRY_ASSIGN(json r, parse_cgroup_rule(cgroup_rules[i], "HostConfig.DeviceCgroupRules[" +
                                                                   std::to_string(i) + "]"));
    rules.push_back(std::move(r));
  }
  return out;
}

}  // namespace hako::engine::spec
