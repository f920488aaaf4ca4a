// Where a container's files live. Two places, on purpose:
//   <root>/containers/<id>/   what must survive a reboot: the OCI bundle (config.json, the
//                             rootfs mount point), the overlay's upper and work dirs, the log,
//                             the files hako writes for it (hosts, hostname, resolv.conf)
//   <state>/containers/<id>/  what describes a live container (a tmpfs, gone at reboot, when
//                             no container is live either): the shim's state file, its pid
//                             file and its control socket
// Runtime state of hako's containers is under <state>/runtime, so `hako-runtime --root
// /run/hako/runtime list` shows them. Values; no I/O.
#pragma once

#include <string>

namespace hako::engine {

struct ContainerPaths {
  ContainerPaths(const std::string& root, const std::string& state, const std::string& id);

  std::string dir;      // <root>/containers/<id>: the bundle
  std::string run_dir;  // <state>/containers/<id>

  std::string config_json() const { return dir + "/config.json"; }  // the OCI spec
  std::string rootfs() const { return dir + "/rootfs"; }            // overlay mount point
  std::string upper() const { return dir + "/upper"; }
  std::string work() const { return dir + "/work"; }
  std::string log() const { return dir + "/json.log"; }  // rotated to json.log.1, .2, ...
  std::string hosts() const { return dir + "/hosts"; }
  std::string hostname() const { return dir + "/hostname"; }
  std::string resolv_conf() const { return dir + "/resolv.conf"; }

  std::string state_json() const { return run_dir + "/state.json"; }  // written by the shim
  std::string shim_log() const { return run_dir + "/shim.log"; }      // only once it has logged
  // The control socket. Its path can exceed sun_path's 108 bytes under a long --state, so
  // clients and the shim reach it through an O_PATH fd of run_dir: /proc/self/fd/N/shim.sock.
  static constexpr const char* kSocketName = "shim.sock";
};

// The runtime state root of hako's containers: <state>/runtime.
std::string runtime_root(const std::string& state);
// Where named volumes live: <root>/volumes/<name>/_data.
std::string volumes_dir(const std::string& root);

}  // namespace hako::engine
