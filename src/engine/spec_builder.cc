// build_spec: the OCI config.json, assembled in dockerd's order (daemon/oci_linux.go
// createSpec): namespaces, cgroups, resources, devices, user, mounts, process, security.
#include "engine/spec_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include "engine/docker_defaults.h"
#include "engine/spec_parts.h"
#include "engine/user_lookup.h"
#include "oci/spec.h"
#include "sys/file.h"
#include "sys/mount.h"

namespace hako::engine {

using nlohmann::json;
using namespace spec;

namespace {

// Docker's ReplaceOrAppendEnvValues: later values of a name replace earlier ones in place.
void set_env(std::vector<std::string>& env, const std::string& kv) {
  std::string name = kv.substr(0, kv.find('='));
  for (auto& e : env) {
    if (e.substr(0, e.find('=')) == name) {
      e = kv;
      return;
    }
  }
  env.push_back(kv);
}

bool has_env(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env)
    if (e.substr(0, e.find('=')) == name) return true;
  return false;
}

Result<json> namespaces(const json& hc, bool& own_network) {
  HAKO_TRY_ASSIGN(std::string net, get_string(hc, "HostConfig", "NetworkMode"));
  HAKO_TRY_ASSIGN(std::string pid, get_string(hc, "HostConfig", "PidMode"));
  HAKO_TRY_ASSIGN(std::string ipc, get_string(hc, "HostConfig", "IpcMode"));
  HAKO_TRY_ASSIGN(std::string uts, get_string(hc, "HostConfig", "UTSMode"));
  HAKO_TRY_ASSIGN(std::string userns, get_string(hc, "HostConfig", "UsernsMode"));
  HAKO_TRY_ASSIGN(std::string cgroupns, get_string(hc, "HostConfig", "CgroupnsMode"));
  json out = json::array({{{"type", "mount"}}});
  own_network = net != "host";
  if (net != "host" && net != "none" && net != "" && net != "default" && net != "bridge")
    return not_implemented("HostConfig.NetworkMode: network \"" + net +
                           "\" is not yet supported (none or host)");
  if (own_network) out.push_back({{"type", "network"}});
  if (uts != "host") out.push_back({{"type", "uts"}});
  if (pid != "host") out.push_back({{"type", "pid"}});
  if (ipc != "host") out.push_back({{"type", "ipc"}});
  // "remap" (hako's) gets its maps from the engine (SpecInputs::remap).
  if (!userns.empty() && userns != "host" && userns != "remap")
    return invalid_argument("HostConfig.UsernsMode: invalid USER mode \"" + userns + "\"");
  // Docker's default is a private cgroup namespace on cgroup v2 and the host's on v1 (and on
  // hybrid hosts like this one).
  bool v2 = sys::exists("/sys/fs/cgroup/cgroup.controllers");
  if (cgroupns == "private" || (cgroupns.empty() && v2))
    out.push_back({{"type", "cgroup"}});
  else if (!cgroupns.empty() && cgroupns != "host")
    return invalid_argument("HostConfig.CgroupnsMode: invalid cgroup namespace mode: " + cgroupns);
  return out;
}

Result<std::string> container_hostname(const json& config, const SpecInputs& in, bool host_net) {
  HAKO_TRY_ASSIGN(std::string hostname, get_string(config, "", "Hostname"));
  if (!hostname.empty()) return hostname;
  if (host_net) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) return std::string(buf);
  }
  return in.id.substr(0, 12);
}

// dockerd creates a missing WorkingDir (owned by the container's user); inside the root, so a
// symlink in the image cannot point it elsewhere.
Status ensure_working_dir(const std::string& rootfs, const std::string& cwd,
                          const ResolvedUser& user, const std::optional<archive::IdRemap>& remap) {
  if (cwd == "/" || rootfs.empty()) return ok();
  HAKO_TRY_ASSIGN(UniqueFd root, sys::open_path(rootfs, O_PATH | O_DIRECTORY));
  if (sys::open_in_root(root.get(), cwd)) return ok();
  HAKO_TRY_ASSIGN(UniqueFd dir, sys::create_in_root(root.get(), cwd, false, 0755));
  // A remapped container's ids are other ids on the host.
  uid_t uid = remap ? remap->uid_to_host(user.uid) : user.uid;
  gid_t gid = remap ? remap->gid_to_host(user.gid) : user.gid;
  if (::fchownat(dir.get(), "", uid, gid, AT_EMPTY_PATH) != 0)
    return sys_error("chown working directory " + cwd);
  return ok();
}

}  // namespace

Result<json> build_spec(const SpecInputs& in) {
  HAKO_TRY_ASSIGN(json config, merge_config(in.create, in.image_config));
  const json empty = json::object();
  const json& hc = in.create.contains("HostConfig") && in.create["HostConfig"].is_object()
                       ? in.create["HostConfig"]
                       : empty;
  HAKO_TRY_ASSIGN(bool privileged, get_bool(hc, "HostConfig", "Privileged"));
  HAKO_TRY_ASSIGN(bool readonly_rootfs, get_bool(hc, "HostConfig", "ReadonlyRootfs"));
  HAKO_TRY_ASSIGN(bool tty, get_bool(config, "", "Tty"));
  HAKO_TRY_ASSIGN(bool init, get_bool(hc, "HostConfig", "Init"));
  HAKO_TRY_ASSIGN(int64_t shm_size, get_int(hc, "HostConfig", "ShmSize"));
  HAKO_TRY_ASSIGN(int64_t oom_score_adj, get_int(hc, "HostConfig", "OomScoreAdj"));
  HAKO_TRY_ASSIGN(auto security_opt, get_strings(hc, "HostConfig", "SecurityOpt"));
  HAKO_TRY_ASSIGN(auto group_add, get_strings(hc, "HostConfig", "GroupAdd"));
  HAKO_TRY_ASSIGN(auto extra_hosts, get_strings(hc, "HostConfig", "ExtraHosts"));
  HAKO_TRY_ASSIGN(std::string cgroup_parent, get_string(hc, "HostConfig", "CgroupParent"));
  HAKO_TRY_ASSIGN(std::string user_spec, get_string(config, "", "User"));
  HAKO_TRY_ASSIGN(std::string cwd, get_string(config, "", "WorkingDir"));
  HAKO_TRY_ASSIGN(auto entrypoint, get_strings(config, "", "Entrypoint"));
  HAKO_TRY_ASSIGN(auto cmd, get_strings(config, "", "Cmd"));
  HAKO_TRY_ASSIGN(auto config_env, get_strings(config, "", "Env"));
  HAKO_TRY_ASSIGN(std::string domainname, get_string(config, "", "Domainname"));
  HAKO_TRY_ASSIGN(std::string stop_signal, get_string(config, "", "StopSignal"));
  if (shm_size < 0) return invalid_argument("HostConfig.ShmSize: SHM size can not be less than 0");
  if (oom_score_adj < -1000 || oom_score_adj > 1000)
    return invalid_argument("HostConfig.OomScoreAdj: Invalid value " +
                            std::to_string(oom_score_adj) +
                            ", range for oom score adj is [-1000, 1000]");
  if (in.id.size() < 12) return invalid_argument("container id: too short");

  bool own_network = true;
  HAKO_TRY_ASSIGN(json ns, namespaces(hc, own_network));
  HAKO_TRY_ASSIGN(std::string hostname, container_hostname(config, in, !own_network));
  HAKO_TRY_ASSIGN(SecurityOptions sec, parse_security_opts(security_opt));

  // process
  std::vector<std::string> args = entrypoint;
  args.insert(args.end(), cmd.begin(), cmd.end());
  if (args.empty()) return invalid_argument("Cmd: no command specified");
  if (init) args.insert(args.begin(), {kInitPathInContainer, "--"});
  if (cwd.empty()) cwd = "/";
  if (cwd[0] != '/')
    return invalid_argument("WorkingDir: the working directory '" + cwd +
                            "' is invalid, it needs to be an absolute path");
  auto user = resolve_user(in.rootfs, user_spec, group_add);
  if (!user) return std::move(user).error();
  HAKO_TRY_CTX(ensure_working_dir(in.rootfs, cwd, *user, in.remap), "WorkingDir");

  std::vector<std::string> env = {std::string("PATH=") + kDefaultPath, "HOSTNAME=" + hostname};
  if (tty) env.push_back("TERM=xterm");
  for (const auto& e : config_env) set_env(env, e);
  // runc (under dockerd) sets HOME from passwd when the environment has none.
  if (!has_env(env, "HOME")) env.push_back("HOME=" + user->home);

  HAKO_TRY_ASSIGN(auto caps, container_capabilities(hc, privileged));
  json capabilities = {{"bounding", caps}};
  // dockerd 20.10.24 gives a non-root user only the bounding set (a root-owned setuid binary
  // can still gain them); root gets them effective and permitted. Inheritable stays empty.
  if (user->uid == 0) {
    capabilities["effective"] = caps;
    capabilities["permitted"] = caps;
  }
  HAKO_TRY_ASSIGN(json rlimits, build_rlimits(hc));
  json process = {
      {"terminal", tty},
      {"user", {{"uid", user->uid}, {"gid", user->gid}, {"additionalGids", user->additional_gids}}},
      {"args", args},
      {"env", env},
      {"cwd", cwd},
      {"capabilities", capabilities},
      {"oomScoreAdj", oom_score_adj}};
  if (!rlimits.empty()) process["rlimits"] = rlimits;
  if (sec.no_new_privileges) process["noNewPrivileges"] = true;
  if (!sec.apparmor_profile.empty() && sec.apparmor_profile != "unconfined")
    process["apparmorProfile"] = sec.apparmor_profile;

  // linux
  if (in.remap) ns.push_back({{"type", "user"}});
  json linux_obj = {{"namespaces", ns}};
  if (in.remap) {
    auto mappings = [](const std::vector<archive::IdRange>& m) {
      json a = json::array();
      for (const auto& r : m)
        a.push_back({{"containerID", r.container}, {"hostID", r.host}, {"size", r.size}});
      return a;
    };
    linux_obj["uidMappings"] = mappings(in.remap->uids);
    linux_obj["gidMappings"] = mappings(in.remap->gids);
  }
  linux_obj["cgroupsPath"] =
      (cgroup_parent.empty() ? std::string("/hako") : cgroup_parent) + "/" + in.id;
  HAKO_TRY_ASSIGN(json resources, build_resources(hc));
  json device_rules = privileged ? json::array() : default_device_rules();
  HAKO_TRY_ASSIGN(json devices, build_devices(hc, privileged, device_rules));
  resources["devices"] = device_rules;
  linux_obj["resources"] = resources;
  if (!devices.empty()) linux_obj["devices"] = devices;
  HAKO_TRY_ASSIGN(json sysctl, build_sysctls(hc, own_network));
  // The kernel takes only gids mapped in the network namespace's user namespace: Docker's
  // default range shrinks to a remapped container's gids.
  if (in.remap && sysctl.value("net.ipv4.ping_group_range", "") == "0 2147483647")
    sysctl["net.ipv4.ping_group_range"] = "0 " + std::to_string(in.remap->gid_count() - 1);
  if (!sysctl.empty()) linux_obj["sysctl"] = sysctl;
  HAKO_TRY_ASSIGN(json seccomp, seccomp_spec(sec, privileged, caps));
  if (!seccomp.is_null()) linux_obj["seccomp"] = seccomp;
  if (!privileged && !sec.systempaths_unconfined) {
    linux_obj["maskedPaths"] = default_masked_paths();
    linux_obj["readonlyPaths"] = default_readonly_paths();
  }

  MountContext mctx{in, config, hc, readonly_rootfs, privileged, shm_size};
  HAKO_TRY_ASSIGN(json mounts, build_mounts(mctx));
  if (!in.container_dir.empty())
    HAKO_TRY_CTX(write_network_files(in.container_dir, hostname, extra_hosts, !own_network),
                 "write the container's network files");

  json out = {{"ociVersion", oci::kSpecVersion},
              {"process", process},
              {"root", {{"path", in.rootfs}}},
              {"hostname", hostname},
              {"mounts", mounts},
              {"linux", linux_obj}};
  if (readonly_rootfs) out["root"]["readonly"] = true;
  if (!domainname.empty()) out["domainname"] = domainname;
  if (!stop_signal.empty())
    out["annotations"] = {{"org.opencontainers.image.stopSignal", stop_signal}};
  return out;
}

}  // namespace hako::engine
