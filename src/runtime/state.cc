#include "runtime/state.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>

#include "json/reader.h"
#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

const char* status_name(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::kCreating:
      return "creating";
    case ContainerStatus::kCreated:
      return "created";
    case ContainerStatus::kRunning:
      return "running";
    case ContainerStatus::kPaused:
      return "paused";
    case ContainerStatus::kStopped:
      return "stopped";
  }
  return "unknown";
}

Status validate_container_id(const std::string& id) {
  // As runc: ^[\w+-\.]+$, and never "." or "..", so an id is always one path component.
  bool ok_chars = !id.empty() && id.size() <= 1024;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' ||
          c == '.'))
      ok_chars = false;
  }
  if (!ok_chars || id == "." || id == "..")
    return invalid_argument("invalid container id \"" + id + "\": use letters, digits, _ + - .");
  return ok();
}

StatePaths state_paths(const std::string& root, const std::string& id) {
  return StatePaths{root + "/" + id};
}

std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec);
  return buf;
}

static json::Value hooks_to_json(const std::vector<oci::Hook>& hooks) {
  json::Value arr = json::Value::array();
  for (const auto& h : hooks) {
    json::Value j{{"path", h.path}};
    if (!h.args.empty()) j["args"] = h.args;
    if (!h.env.empty()) j["env"] = h.env;
    if (h.timeout) j["timeout"] = *h.timeout;
    arr.push_back(std::move(j));
  }
  return arr;
}

static Status hooks_from_json(const json::Value& v, const char* key, std::vector<oci::Hook>& out) {
  auto it = v.find(key);
  if (it == v.end() || !it->is_array()) return ok();
  for (const auto& h : *it) {
    oci::Hook hook;
    HAKO_TRY(json::read_required(h, key, "path", hook.path));
    HAKO_TRY(json::read_field(h, key, "args", hook.args));
    HAKO_TRY(json::read_field(h, key, "env", hook.env));
    HAKO_TRY(json::read_field(h, key, "timeout", hook.timeout));
    out.push_back(std::move(hook));
  }
  return ok();
}

Status save_state(const StatePaths& paths, const ContainerState& s) {
  json::Value j{{"id", s.id},
                {"pid", s.pid},
                {"pidStartTime", s.pid_start_time},
                {"bundle", s.bundle},
                {"rootfs", s.rootfs},
                {"created", s.created},
                {"owner", s.owner},
                {"annotations", s.annotations},
                {"cgroupPaths", json::Value::array()},
                {"configPath", s.config_path},
                {"namespaces", s.namespaces},
                {"newUserNamespace", s.has_new_user_ns}};
  for (const auto& c : s.cgroups)
    j["cgroupPaths"].push_back(
        {{"hierarchy", c.hierarchy}, {"path", c.path}, {"createdLevels", c.created_levels}});
  j["poststop"] = hooks_to_json(s.poststop_hooks);
  j["poststart"] = hooks_to_json(s.poststart_hooks);
  return sys::write_file_replace(paths.state_file(), j.dump(), 0600);
}

Result<ContainerState> load_state(const std::string& root, const std::string& id) {
  HAKO_TRY(validate_container_id(id));
  StatePaths paths = state_paths(root, id);
  auto text = sys::read_file(paths.state_file(), 1 << 20);
  if (!text) {
    if (text.error().sys_errno() == ENOENT) return not_found("container " + id + " does not exist");
    return std::move(text).error();
  }
  HAKO_TRY_ASSIGN(json::Value j, json::parse(*text, paths.state_file()));
  ContainerState s;
  HAKO_TRY(json::require_object(j, "state"));
  HAKO_TRY(json::read_required(j, "", "id", s.id));
  int64_t pid = 0;
  HAKO_TRY(json::read_field(j, "", "pid", pid));
  s.pid = static_cast<pid_t>(pid);
  HAKO_TRY(json::read_field(j, "", "pidStartTime", s.pid_start_time));
  HAKO_TRY(json::read_field(j, "", "bundle", s.bundle));
  HAKO_TRY(json::read_field(j, "", "rootfs", s.rootfs));
  HAKO_TRY(json::read_field(j, "", "created", s.created));
  HAKO_TRY(json::read_field(j, "", "owner", s.owner));
  HAKO_TRY(json::read_field(j, "", "annotations", s.annotations));
  if (auto it = j.find("cgroupPaths"); it != j.end() && it->is_array()) {
    for (const auto& c : *it) {
      StoredCgroup sc;
      HAKO_TRY(json::read_field(c, "cgroupPaths", "hierarchy", sc.hierarchy));
      HAKO_TRY(json::read_field(c, "cgroupPaths", "path", sc.path));
      HAKO_TRY(json::read_field(c, "cgroupPaths", "createdLevels", sc.created_levels));
      s.cgroups.push_back(std::move(sc));
    }
  }
  HAKO_TRY(json::read_field(j, "", "configPath", s.config_path));
  HAKO_TRY(json::read_field(j, "", "namespaces", s.namespaces));
  HAKO_TRY(json::read_field(j, "", "newUserNamespace", s.has_new_user_ns));
  HAKO_TRY(hooks_from_json(j, "poststop", s.poststop_hooks));
  HAKO_TRY(hooks_from_json(j, "poststart", s.poststart_hooks));
  return s;
}

ContainerStatus container_status(const ContainerState& state, const StatePaths& paths) {
  if (state.pid <= 0) return ContainerStatus::kCreating;
  auto start = sys::process_start_time(state.pid);
  if (!start || *start != state.pid_start_time) return ContainerStatus::kStopped;
  auto st = sys::process_state(state.pid);
  if (!st || *st == 'Z' || *st == 'X') return ContainerStatus::kStopped;
  if (::access(paths.exec_fifo().c_str(), F_OK) == 0) return ContainerStatus::kCreated;
  return ContainerStatus::kRunning;
}

std::string oci_state_json(const ContainerState& state, ContainerStatus status, bool pretty) {
  json::Value j{
      {"ociVersion", oci::kSpecVersion}, {"id", state.id}, {"status", status_name(status)}};
  j["pid"] = status == ContainerStatus::kStopped ? 0 : state.pid;
  j["bundle"] = state.bundle;
  j["rootfs"] = state.rootfs;
  j["created"] = state.created;
  j["owner"] = state.owner;
  if (!state.annotations.empty()) j["annotations"] = state.annotations;
  return pretty ? j.dump(2) : j.dump();
}

Result<UniqueFd> lock_container(const StatePaths& paths) {
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(paths.dir, O_RDONLY | O_DIRECTORY));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return sys_error("lock " + paths.dir);
  }
  return fd;
}

}  // namespace hako::runtime
