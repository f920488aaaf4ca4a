#include "runtime/idmap_mount.h"

#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/scope_exit.h"
#include "runtime/id_maps.h"
#include "sys/file.h"
#include "sys/mount.h"
#include "sys/process.h"

namespace hako::runtime {

std::vector<IdmapRequest> idmap_requests(const oci::Spec& spec) {
  std::vector<IdmapRequest> out;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const oci::Mount& m = spec.mounts[i];
    auto has = [&](const char* o) {
      return std::find(m.options.begin(), m.options.end(), o) != m.options.end();
    };
    bool own = !m.uid_mappings.empty();
    if (!own && !has("idmap") && !has("ridmap")) continue;
    IdmapRequest r;
    r.mount_index = i;
    r.own_maps = own;
    r.recursive_tree = has("rbind");
    r.recursive_attr = has("ridmap");
    out.push_back(r);
  }
  return out;
}

Result<bool> wants_idmapped_rootfs(const oci::Spec& spec) {
  auto it = spec.annotations.find(kIdmapRootfsAnnotation);
  if (it == spec.annotations.end() || it->second == "false") return false;
  if (it->second == "true") return true;
  return invalid_argument(std::string("annotations.") + kIdmapRootfsAnnotation +
                          ": must be \"true\" or \"false\"");
}

Result<UniqueFd> user_namespace_with_maps(const std::vector<oci::IdMapping>& uids,
                                          const std::vector<oci::IdMapping>& gids) {
  // The owner only has to exist while we write its maps and open its namespace.
  HAKO_TRY_ASSIGN(sys::CloneResult child, sys::clone_process(CLONE_NEWUSER, false));
  if (child.pid == 0) {
    while (true) ::pause();
  }
  ScopeExit reap([&] {
    ::kill(child.pid, SIGKILL);
    int status;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
  });
  std::string base = "/proc/" + std::to_string(child.pid);
  HAKO_TRY_CTX(sys::write_file(base + "/uid_map", format_id_map(uids)), "write a mount's uid map");
  HAKO_TRY_CTX(sys::write_file(base + "/gid_map", format_id_map(gids)), "write a mount's gid map");
  return sys::open_path(base + "/ns/user", O_RDONLY);
}

Result<UniqueFd> idmapped_clone(const std::string& source, int userns_fd, bool recursive_tree,
                                bool recursive_attr) {
  HAKO_TRY_ASSIGN(UniqueFd tree, sys::open_tree_clone(source, recursive_tree));
  Status s = sys::mount_set_attr(tree.get(), MOUNT_ATTR_IDMAP, recursive_attr, userns_fd);
  if (!s) {
    const Error& e = s.error();
    std::string why =
        e.sys_errno() == EINVAL ? " (its filesystem may not support idmapped mounts)" : "";
    return Error(e.code(), "idmap " + source + ": " + e.message() + why, e.sys_errno());
  }
  return tree;
}

}  // namespace hako::runtime
