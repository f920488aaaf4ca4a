// Cross-field rules of the runtime spec that a JSON schema cannot express, checked before
// anything is created so a bad config leaves nothing behind.
#include <algorithm>
#include <set>

#include "oci/spec.h"

namespace hako::oci {

static bool is_known_namespace(const std::string& type) {
  return std::any_of(std::begin(kNamespaceTypes), std::end(kNamespaceTypes),
                     [&](const char* t) { return type == t; });
}

static const char* const kRlimitNames[] = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"};

static bool starts_with_major_1(const std::string& v) {
  return v.size() >= 2 && v[0] == '1' && v[1] == '.';
}

// The kernel takes at most 340 lines per uid_map/gid_map write (user_namespaces(7)), in one
// write shorter than a page.
static constexpr size_t kMaxIdMapLines = 340;
static constexpr size_t kMaxIdMapBytes = 4095;

static std::string id_range(uint64_t start, uint64_t size) {
  return std::to_string(start) + "-" + std::to_string(start + size - 1);
}

// Each range non-empty and inside the 32-bit id space; no two ranges overlapping on either
// side: the kernel refuses such a map with a bare EINVAL, so we say which ranges clash first.
static Status validate_mappings(const std::vector<IdMapping>& maps, const std::string& path) {
  if (maps.size() > kMaxIdMapLines)
    return invalid_argument(path + ": " + std::to_string(maps.size()) +
                            " ranges, the kernel accepts at most 340");
  size_t bytes = 0;
  for (const auto& m : maps)
    bytes += std::to_string(m.container_id).size() + std::to_string(m.host_id).size() +
             std::to_string(m.size).size() + 3;
  if (bytes > kMaxIdMapBytes)
    return invalid_argument(path + ": " + std::to_string(bytes) +
                            " bytes as text, the kernel takes at most 4095 in one write");
  for (size_t i = 0; i < maps.size(); ++i) {
    const auto& m = maps[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (m.size == 0) return invalid_argument(p + ".size: must be greater than 0");
    if (uint64_t(m.container_id) + m.size > (uint64_t(1) << 32))
      return invalid_argument(p + ": container ids " + id_range(m.container_id, m.size) +
                              " exceed the 32-bit id space");
    if (uint64_t(m.host_id) + m.size > (uint64_t(1) << 32))
      return invalid_argument(p + ": host ids " + id_range(m.host_id, m.size) +
                              " exceed the 32-bit id space");
    for (size_t j = 0; j < i; ++j) {
      const auto& o = maps[j];
      uint64_t mc = m.container_id, oc = o.container_id, mh = m.host_id, oh = o.host_id;
      std::string q = path + "[" + std::to_string(j) + "]";
      if (mc < oc + o.size && oc < mc + m.size)
        return invalid_argument(p + ": overlaps " + q + " (container ids " +
                                id_range(o.container_id, o.size) + ")");
      if (mh < oh + o.size && oh < mh + m.size)
        return invalid_argument(p + ": overlaps " + q + " (host ids " +
                                id_range(o.host_id, o.size) + ")");
    }
  }
  return ok();
}

// mounts[].uidMappings/gidMappings (runtime-spec 1.1, idmapped mounts): bind mounts only, both
// maps or neither, each a valid map.
static Status validate_mount_mappings(const Mount& m, size_t i) {
  std::string p = "mounts[" + std::to_string(i) + "]";
  bool has_maps = !m.uid_mappings.empty() || !m.gid_mappings.empty();
  bool idmap_option = std::any_of(m.options.begin(), m.options.end(), [](const std::string& o) {
    return o == "idmap" || o == "ridmap";
  });
  if (!has_maps && !idmap_option) return ok();
  bool bind =
      m.type == "bind" || std::any_of(m.options.begin(), m.options.end(),
                                      [](const auto& o) { return o == "bind" || o == "rbind"; });
  if (!bind) return invalid_argument(p + ": idmapped mounts must be bind mounts");
  if (m.uid_mappings.empty() != m.gid_mappings.empty())
    return invalid_argument(p + ": uidMappings and gidMappings must be given together");
  HAKO_TRY(validate_mappings(m.uid_mappings, p + ".uidMappings"));
  return validate_mappings(m.gid_mappings, p + ".gidMappings");
}

static Status validate_hooks(const std::vector<Hook>& hooks, const std::string& path) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    if (hooks[i].path.empty() || hooks[i].path[0] != '/')
      return invalid_argument(p + ".path: must be an absolute path");
    if (hooks[i].timeout && *hooks[i].timeout <= 0)
      return invalid_argument(p + ".timeout: must be greater than 0");
  }
  return ok();
}

// A sysctl is only safe to set when the kernel namespaces it and the container has its own
// namespace of that kind; anything else would change the host (runc applies the same rules).
static Status validate_sysctl(const std::string& key, const std::set<std::string>& namespaces) {
  static const char* const kIpcKeys[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                         "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                         "kernel.shmmni", "kernel.shm_rmid_forced"};
  std::string path = "linux.sysctl." + key;
  auto needs = [&](const char* ns) -> Status {
    if (!namespaces.count(ns))
      return invalid_argument(path + ": needs its own " + std::string(ns) +
                              " namespace in linux.namespaces, or it would change the host");
    return ok();
  };
  if (key.find("..") != std::string::npos || key.find('/') != std::string::npos)
    return invalid_argument(path + ": invalid name");
  for (const char* k : kIpcKeys) {
    if (key == k) return needs("ipc");
  }
  if (key.rfind("fs.mqueue.", 0) == 0) return needs("ipc");
  if (key.rfind("net.", 0) == 0) return needs("network");
  if (key == "kernel.hostname" || key == "kernel.domainname") return needs("uts");
  return invalid_argument(
      path + ": not in a separate kernel namespace, so it cannot be set for a container");
}

Status validate_sysctls(const std::map<std::string, std::string>& sysctl,
                        const std::set<std::string>& own_namespaces) {
  for (const auto& [key, _] : sysctl) HAKO_TRY(validate_sysctl(key, own_namespaces));
  return ok();
}

Status validate_spec(const Spec& spec) {
  if (!starts_with_major_1(spec.oci_version))
    return invalid_argument("ociVersion: unsupported version \"" + spec.oci_version +
                            "\" (want 1.x)");
  if (!spec.root || spec.root->path.empty()) return invalid_argument("root.path: required");
  if (!spec.process) return invalid_argument("process: required");
  if (spec.process->args.empty()) return invalid_argument("process.args: must not be empty");
  if (spec.process->cwd.empty() || spec.process->cwd[0] != '/')
    return invalid_argument("process.cwd: must be an absolute path");
  for (size_t i = 0; i < spec.process->rlimits.size(); ++i) {
    const auto& r = spec.process->rlimits[i];
    std::string p = "process.rlimits[" + std::to_string(i) + "]";
    if (std::none_of(std::begin(kRlimitNames), std::end(kRlimitNames),
                     [&](const char* n) { return r.type == n; }))
      return invalid_argument(p + ".type: unknown rlimit \"" + r.type + "\"");
    if (r.soft > r.hard) return invalid_argument(p + ": soft limit exceeds hard limit");
  }
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const auto& m = spec.mounts[i];
    if (m.destination.empty() || m.destination[0] != '/')
      return invalid_argument("mounts[" + std::to_string(i) +
                              "].destination: must be an absolute path");
    HAKO_TRY(validate_mount_mappings(m, i));
  }
  if (spec.hooks) {
    HAKO_TRY(validate_hooks(spec.hooks->prestart, "hooks.prestart"));
    HAKO_TRY(validate_hooks(spec.hooks->create_runtime, "hooks.createRuntime"));
    HAKO_TRY(validate_hooks(spec.hooks->create_container, "hooks.createContainer"));
    HAKO_TRY(validate_hooks(spec.hooks->start_container, "hooks.startContainer"));
    HAKO_TRY(validate_hooks(spec.hooks->poststart, "hooks.poststart"));
    HAKO_TRY(validate_hooks(spec.hooks->poststop, "hooks.poststop"));
  }
  if (!spec.linux) return ok();
  const Linux& lx = *spec.linux;
  std::set<std::string> seen;
  bool has_user_ns = false, has_uts_ns = false, has_time_ns = false;
  for (size_t i = 0; i < lx.namespaces.size(); ++i) {
    const auto& ns = lx.namespaces[i];
    std::string p = "linux.namespaces[" + std::to_string(i) + "]";
    if (!is_known_namespace(ns.type))
      return invalid_argument(p + ".type: unknown namespace type \"" + ns.type + "\"");
    if (!seen.insert(ns.type).second)
      return invalid_argument(p + ".type: namespace \"" + ns.type + "\" listed twice");
    if (!ns.path.empty() && ns.path[0] != '/')
      return invalid_argument(p + ".path: must be an absolute path");
    if (ns.type == "user") has_user_ns = true;
    if (ns.type == "uts") has_uts_ns = true;
    if (ns.type == "time") {
      has_time_ns = true;
      if (!ns.path.empty() && !lx.time_offsets.empty())
        return invalid_argument(
            "linux.timeOffsets: cannot be set when joining an existing time namespace");
    }
  }
  HAKO_TRY(validate_sysctls(lx.sysctl, seen));
  if ((!spec.hostname.empty() || !spec.domainname.empty()) && !has_uts_ns)
    return invalid_argument("hostname: setting it needs a new uts namespace in linux.namespaces");
  if (!lx.time_offsets.empty() && !has_time_ns)
    return invalid_argument("linux.timeOffsets: needs a time namespace in linux.namespaces");
  for (const auto& [clock, _] : lx.time_offsets) {
    if (clock != "monotonic" && clock != "boottime")
      return invalid_argument("linux.timeOffsets." + clock +
                              ": unknown clock (monotonic or boottime)");
  }
  if ((!lx.uid_mappings.empty() || !lx.gid_mappings.empty()) && !has_user_ns)
    return invalid_argument(
        std::string(lx.uid_mappings.empty() ? "linux.gidMappings" : "linux.uidMappings") +
        ": needs a user namespace in linux.namespaces");
  if (lx.uid_mappings.empty() != lx.gid_mappings.empty())
    return invalid_argument(
        std::string(lx.uid_mappings.empty() ? "linux.uidMappings" : "linux.gidMappings") +
        ": required with " + (lx.uid_mappings.empty() ? "linux.gidMappings" : "linux.uidMappings"));
  HAKO_TRY(validate_mappings(lx.uid_mappings, "linux.uidMappings"));
  HAKO_TRY(validate_mappings(lx.gid_mappings, "linux.gidMappings"));
  if (!lx.rootfs_propagation.empty()) {
    static const char* const kProps[] = {"private", "rprivate", "slave",      "rslave",
                                         "shared",  "rshared",  "unbindable", "runbindable"};
    if (std::none_of(std::begin(kProps), std::end(kProps),
                     [&](const char* n) { return lx.rootfs_propagation == n; }))
      return invalid_argument("linux.rootfsPropagation: unknown propagation \"" +
                              lx.rootfs_propagation + "\"");
  }
  for (size_t i = 0; i < lx.devices.size(); ++i) {
    const auto& d = lx.devices[i];
    std::string p = "linux.devices[" + std::to_string(i) + "]";
    if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
      return invalid_argument(p + ".type: must be one of c, b, u, p");
    if (d.path.empty() || d.path[0] != '/')
      return invalid_argument(p + ".path: must be an absolute path");
  }
  return ok();
}

}  // namespace hako::oci
