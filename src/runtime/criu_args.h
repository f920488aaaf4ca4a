// The command lines hako-runtime gives the criu binary for `checkpoint` and `restore`, and the
// reading of criu's log when it fails. Pure functions over values (no I/O), so the option
// mapping is unit-tested without CRIU.
//
// hako drives criu through its command line (`criu dump` / `criu pre-dump` / `criu restore`),
// not through the RPC socket (`criu swrk` + protobuf) runc uses: the options are the same ones
// runc sets over RPC, and the CLI needs no protobuf dependency in a static runtime. What the CLI
// cannot do (RPC notifications such as "setup-namespaces") is done around the call instead:
// cgroups are joined by the criu process before it starts, the restored init is criu's sibling
// (--restore-sibling), so hako-runtime is its parent and can wait for it.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"
#include "runtime/mount_plan.h"
#include "runtime/rootfs.h"

namespace hako::runtime {

// Flags that checkpoint and restore share (runc's names).
struct CriuFlags {
  bool tcp_established = false;
  bool file_locks = false;
  bool ext_unix_sk = false;
  bool shell_job = false;
  std::string manage_cgroups_mode;  // "" (criu's default), soft, full, strict, ignore
};

// One --ext-mount-map KEY:VALUE: on dump KEY is the mount point in the container and VALUE the
// name recorded in the image; on restore KEY is that name and VALUE the host path to bind.
struct CriuExtMount {
  std::string key;
  std::string value;
};

struct CriuDumpRequest {
  pid_t pid = 0;
  std::string images_dir;
  std::string work_dir;
  std::string root;           // the container's rootfs, as the host sees it
  std::string freeze_cgroup;  // the freezer cgroup dir (v1) or the cgroup2 dir; "" for ptrace
  bool leave_running = false;
  bool pre_dump = false;
  CriuFlags flags;
  std::vector<CriuExtMount> ext_mounts;
  std::vector<std::string> externals;  // --external values, e.g. "net[4026531992]:extRootNetNS"
};

struct CriuRestoreRequest {
  std::string images_dir;
  std::string work_dir;
  std::string root;  // a mount point holding the rootfs (criu needs one)
  std::string pid_file;
  CriuFlags flags;
  std::vector<CriuExtMount> ext_mounts;
  std::vector<std::pair<int, std::string>> inherit_fds;      // fd[N]:KEY
  std::vector<std::pair<std::string, std::string>> join_ns;  // NS:PATH
  std::vector<std::string> cgroup_roots;                     // [controller:]/path
};

// The names of the criu log files in the work dir.
inline constexpr const char* kCriuDumpLog = "dump.log";
inline constexpr const char* kCriuRestoreLog = "restore.log";
// What checkpoint records beside criu's images: the init's stdio as /proc/PID/fd links, a JSON
// array of three strings (runc's descriptors.json, so either runtime reads the other's).
inline constexpr const char* kDescriptorsFile = "descriptors.json";

// argv for criu, without the binary itself.
std::vector<std::string> criu_dump_args(const CriuDumpRequest& r);
std::vector<std::string> criu_restore_args(const CriuRestoreRequest& r);

Status validate_manage_cgroups_mode(const std::string& mode);

// The external mounts of a container, as runc lists them: bind mounts, the v1 cgroup
// hierarchies bound from the host (no cgroup namespace), masked files (bound from /dev/null),
// device nodes that are bind mounts (in a user namespace). restore: VALUE is the host source.
// mounts: the planned mounts (plan_mounts: sources resolved against the bundle);
// masked_files: the masked paths that exist in the container and are not directories.
std::vector<CriuExtMount> criu_external_mounts(const oci::Spec& spec,
                                               const std::vector<MountStep>& mounts,
                                               const std::vector<CgroupMount>& cgroup_mounts,
                                               const std::vector<std::string>& masked_files,
                                               bool in_user_ns, bool for_restore);

// criu's first "Error (file:line): message" in its log, as "message"; "" when there is none.
std::string criu_log_error(const std::string& log_text);

// --cgroup-root values from a /proc/PID/cgroup text: "controllers:/path" for each v1
// hierarchy, "/path" (criu's default root) for the cgroup2 line.
std::vector<std::string> criu_cgroup_roots(const std::string& proc_cgroup);

}  // namespace hako::runtime
