#include "engine/remapped_rootfs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>

#include "base/scope_exit.h"
#include "oci/spec.h"
#include "runtime/idmap_mount.h"
#include "sys/file.h"
#include "sys/mount.h"

namespace hako::engine {

Result<snapshot::MountGuard> mount_remapped_overlay(
    const std::vector<std::string>& lowers, const archive::IdRemap& remap, const std::string& upper,
    const std::string& work, const std::string& target, const std::string& scratch_parent,
    bool throwaway_upper) {
  const std::string what = "mount the remapped rootfs on " + target;
  auto mappings = [](const std::vector<archive::IdRange>& m) {
    std::vector<oci::IdMapping> out;
    for (const auto& r : m) out.push_back({r.container, r.host, r.size});
    return out;
  };
  HAKO_TRY_ASSIGN(UniqueFd userns,
                  runtime::user_namespace_with_maps(mappings(remap.uids), mappings(remap.gids)));
  std::string scratch = scratch_parent + "/idmap.XXXXXX";
  if (::mkdtemp(scratch.data()) == nullptr)
    return sys_error(what + ": mkdtemp in " + scratch_parent);
  std::vector<std::string> attached;
  // Whatever happens, nothing of the scratch dir stays: the overlay holds its own clones.
  ScopeExit cleanup([&] {
    for (const auto& dir : attached) (void)sys::unmount(dir, MNT_DETACH);
    for (size_t i = 0; i < lowers.size(); ++i) ::rmdir((scratch + "/" + std::to_string(i)).c_str());
    ::rmdir(scratch.c_str());
  });
  std::vector<std::string> mapped;
  for (size_t i = 0; i < lowers.size(); ++i) {
    HAKO_TRY_ASSIGN(UniqueFd clone, runtime::idmapped_clone(lowers[i], userns.get(), false, false));
    std::string dir = scratch + "/" + std::to_string(i);
    if (::mkdir(dir.c_str(), 0700) != 0) return sys_error(what + ": mkdir " + dir);
    HAKO_TRY_CTX(sys::move_mount_to(clone.get(), dir), what);
    attached.push_back(dir);
    mapped.push_back(dir);
  }
  return snapshot::mount_overlay(mapped, upper, work, target, throwaway_upper);
}

void remove_idmap_scratch(const std::string& scratch_parent) {
  auto names = sys::list_dir(scratch_parent);
  if (!names) return;
  for (const auto& name : *names) {
    if (!std::string_view(name).starts_with("idmap.")) continue;
    std::string s = scratch_parent + "/" + name;
    if (auto layers = sys::list_dir(s)) {
      for (const auto& layer : *layers) {
        std::string l = s + "/" + layer;
        ::umount2(l.c_str(), MNT_DETACH);
        ::rmdir(l.c_str());
      }
    }
    ::rmdir(s.c_str());
  }
}

}  // namespace hako::engine
