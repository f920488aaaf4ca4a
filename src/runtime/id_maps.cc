#include "runtime/id_maps.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "sys/file.h"
#include "sys/process.h"

namespace hako::runtime {

namespace {

bool only_own_id(const std::vector<oci::IdMapping>& maps, uint32_t own) {
  return maps.size() == 1 && maps[0].host_id == own && maps[0].size == 1;
}

bool wants_new_user_ns(const oci::Linux& lx) {
  return std::any_of(lx.namespaces.begin(), lx.namespaces.end(),
                     [](const oci::Namespace& n) { return n.type == "user" && n.path.empty(); });
}

bool has_user_ns(const oci::Linux& lx) {
  return std::any_of(lx.namespaces.begin(), lx.namespaces.end(),
                     [](const oci::Namespace& n) { return n.type == "user"; });
}

// Runs newuidmap/newgidmap; their own message (e.g. "uid range [1-65537) -> [100000-165536)
// not allowed") goes to our stderr, and the error says where to look.
Status run_helper(const char* helper, pid_t pid, const std::vector<oci::IdMapping>& maps,
                  const char* subid_file) {
  std::vector<std::string> args = id_map_helper_args(pid, maps);
  args.insert(args.begin(), helper);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t child = ::fork();
  if (child < 0) return sys_error(std::string("fork for ") + helper);
  if (child == 0) {
    ::execvp(helper, argv.data());
    _exit(127);
  }
  HAKO_TRY_ASSIGN(int code, sys::wait_exit_code(child));
  if (code == 127)
    return failed_precondition(std::string(helper) +
                               " not found: mapping ids beyond your own needs it (package uidmap)");
  if (code != 0)
    return failed_precondition(std::string(helper) + " failed (exit " + std::to_string(code) +
                               "): check that " + subid_file +
                               " grants the ranges in the config to your user");
  return ok();
}

}  // namespace

std::string format_id_map(const std::vector<oci::IdMapping>& maps) {
  std::string text;
  for (const auto& m : maps)
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
            std::to_string(m.size) + "\n";
  return text;
}

std::vector<std::string> id_map_helper_args(pid_t pid, const std::vector<oci::IdMapping>& maps) {
  std::vector<std::string> args{std::to_string(pid)};
  for (const auto& m : maps) {
    args.push_back(std::to_string(m.container_id));
    args.push_back(std::to_string(m.host_id));
    args.push_back(std::to_string(m.size));
  }
  return args;
}

IdMapPlan plan_id_maps(const oci::Linux& lx, uid_t euid, gid_t egid) {
  IdMapPlan plan;
  if (euid == 0) return plan;
  if (!only_own_id(lx.uid_mappings, euid)) plan.uid = IdMapMethod::kHelper;
  if (only_own_id(lx.gid_mappings, egid)) {
    plan.deny_setgroups = true;
  } else {
    plan.gid = IdMapMethod::kHelper;
  }
  return plan;
}

Status complete_user_namespace(oci::Linux& lx, uid_t euid, gid_t egid) {
  if (euid != 0 && !has_user_ns(lx))
    return invalid_argument(
        "linux.namespaces: an unprivileged user needs a user namespace (see `spec --rootless`)");
  if (!wants_new_user_ns(lx)) return ok();
  if (lx.uid_mappings.empty() && lx.gid_mappings.empty()) {
    if (euid == 0)
      return invalid_argument(
          "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
    lx.uid_mappings = {{0, static_cast<uint32_t>(euid), 1}};
    lx.gid_mappings = {{0, static_cast<uint32_t>(egid), 1}};
  }
  return ok();
}

Status write_id_maps(pid_t pid, const oci::Linux& lx, const IdMapPlan& plan) {
  std::string base = "/proc/" + std::to_string(pid);
  if (plan.uid == IdMapMethod::kHelper) {
    HAKO_TRY_CTX(run_helper("newuidmap", pid, lx.uid_mappings, "/etc/subuid"), "linux.uidMappings");
  } else {
    HAKO_TRY_CTX(sys::write_file(base + "/uid_map", format_id_map(lx.uid_mappings)),
                 "linux.uidMappings: write " + base + "/uid_map");
  }
  if (plan.deny_setgroups)
    HAKO_TRY_CTX(sys::write_file(base + "/setgroups", "deny"),
                 "deny setgroups before writing the gid map");
  if (plan.gid == IdMapMethod::kHelper) {
    HAKO_TRY_CTX(run_helper("newgidmap", pid, lx.gid_mappings, "/etc/subgid"), "linux.gidMappings");
  } else {
    HAKO_TRY_CTX(sys::write_file(base + "/gid_map", format_id_map(lx.gid_mappings)),
                 "linux.gidMappings: write " + base + "/gid_map");
  }
  return ok();
}

}  // namespace hako::runtime
