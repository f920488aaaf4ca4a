#include "engine/docker_defaults.h"

#include "sys/capabilities.h"

namespace hako::engine {

using nlohmann::json;

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return caps;
}

std::vector<std::string> all_capabilities() {
  std::vector<std::string> out;
  int last = sys::last_capability();  // a read of /proc each call
  for (int i = 0; i <= last; ++i) {
    if (const char* name = sys::capability_name(i)) out.emplace_back(name);
  }
  return out;
}

// Docker 20.10's list. Later moby releases add /sys/devices/virtual/powercap and
// /proc/interrupts; we follow the version this machine's dockerd runs, so the two agree.
const std::vector<std::string>& default_masked_paths() {
  static const std::vector<std::string> paths = {
      "/proc/asound",        "/proc/acpi",       "/proc/kcore",       "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
      "/proc/scsi",          "/sys/firmware"};
  return paths;
}

const std::vector<std::string>& default_readonly_paths() {
  static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};
  return paths;
}

static json mount(const char* dst, const char* type, const char* src,
                  std::vector<std::string> options) {
  return {{"destination", dst}, {"type", type}, {"source", src}, {"options", std::move(options)}};
}

json default_mounts(const DefaultMountOptions& o) {
  json out = json::array();
  out.push_back(mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  out.push_back(
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  out.push_back(mount("/dev/pts", "devpts", "devpts",
                      {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}));
  out.push_back(
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", o.sys_writable ? "rw" : "ro"}));
  out.push_back(mount("/sys/fs/cgroup", "cgroup", "cgroup",
                      {o.sys_writable ? "rw" : "ro", "nosuid", "noexec", "nodev"}));
  out.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  // Docker mounts a tmpfs of ShmSize on the host and binds it; a tmpfs in the spec is the same
  // thing for a private ipc namespace, without a host mount to clean up.
  out.push_back(mount("/dev/shm", "tmpfs", "shm",
                      {"nosuid", "noexec", "nodev", "mode=1777",
                       "size=" + std::to_string(o.shm_size > 0 ? o.shm_size : kDefaultShmSize)}));
  return out;
}

json default_device_rules() {
  auto allow = [](int major, int minor) {
    return json{
        {"allow", true}, {"type", "c"}, {"major", major}, {"minor", minor}, {"access", "rwm"}};
  };
  json rules = json::array();
  rules.push_back({{"allow", false}, {"access", "rwm"}});
  // null, zero, urandom, random, tty, console... in Docker's order (1:5 1:3 1:9 1:8 5:0 5:1).
  static const std::pair<int, int> kAllowed[] = {{1, 5}, {1, 3}, {1, 9}, {1, 8}, {5, 0}, {5, 1}};
  for (auto [major, minor] : kAllowed) rules.push_back(allow(major, minor));
  rules.push_back(
      {{"allow", false}, {"type", "c"}, {"major", 10}, {"minor", 229}, {"access", "rwm"}});
  return rules;
}

}  // namespace hako::engine
