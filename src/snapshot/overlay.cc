#include "snapshot/overlay.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "sys/file.h"
#include "sys/mount.h"

namespace hako::snapshot {

MountGuard& MountGuard::operator=(MountGuard&& other) noexcept {
  if (this != &other) {
    (void)unmount();
    target_ = std::move(other.target_);
    other.target_.clear();
  }
  return *this;
}

MountGuard::~MountGuard() { (void)unmount(); }

std::string MountGuard::release() {
  std::string t = std::move(target_);
  target_.clear();
  return t;
}

Status MountGuard::unmount() {
  if (target_.empty()) return ok();
  std::string t = release();
  return sys::unmount(t, MNT_DETACH);
}

namespace {

// The pre-6.8 form: one "lowerdir" string, top first, ':'-separated, limited to a page.
Status config_lowerdir_string(int fs, const std::vector<std::string>& lowers) {
  std::string joined;
  for (const auto& dir : lowers) {
    if (dir.find_first_of(":,\\") != std::string::npos)
      return invalid_argument("lower dir " + dir +
                              ": ':' ',' and '\\' need a kernel with lowerdir+ (6.8)");
    if (!joined.empty()) joined += ':';
    joined += dir;
  }
  return sys::fs_config_string(fs, "lowerdir", joined);
}

Status config_lowers(int fs, const std::vector<std::string>& lowers) {
  for (size_t i = 0; i < lowers.size(); ++i) {
    auto s = sys::fs_config_string(fs, "lowerdir+", lowers[i]);
    if (s) continue;
    // EINVAL on the first one and nothing else wrong: the kernel predates lowerdir+.
    if (i == 0 && s.error().sys_errno() == EINVAL) return config_lowerdir_string(fs, lowers);
    return s;
  }
  return ok();
}

Result<MountGuard> bind_readonly(const std::string& dir, const std::string& target) {
  HAKO_TRY_ASSIGN(UniqueFd mnt, sys::open_tree_clone(dir, false));
  HAKO_TRY(sys::mount_set_attr(mnt.get(), MOUNT_ATTR_RDONLY, false));
  HAKO_TRY(sys::move_mount_to(mnt.get(), target));
  return MountGuard(target);
}

}  // namespace

Result<MountGuard> mount_overlay(const std::vector<std::string>& lower_dirs_top_first,
                                 std::optional<std::string> upper, std::optional<std::string> work,
                                 const std::string& target, bool throwaway_upper) {
  const std::string what = "mount overlay on " + target;
  if (lower_dirs_top_first.empty()) return invalid_argument(what + ": no lower dirs");
  if (upper.has_value() != work.has_value())
    return invalid_argument(what + ": an upper dir needs a work dir and the other way round");
  if (!upper && lower_dirs_top_first.size() == 1) {
    auto m = bind_readonly(lower_dirs_top_first[0], target);
    if (!m) return std::move(m).error().context(what + " (one read-only layer)");
    return m;
  }
  auto fs = sys::fs_open("overlay");
  if (!fs) return std::move(fs).error().context(what + ": is the overlay module loaded?");
  HAKO_TRY_CTX(config_lowers(fs->get(), lower_dirs_top_first), what);
  if (upper) {
    HAKO_TRY_CTX(sys::fs_config_string(fs->get(), "upperdir", *upper), what);
    HAKO_TRY_CTX(sys::fs_config_string(fs->get(), "workdir", *work), what);
    if (throwaway_upper) {
      // Left by an earlier volatile mount (overlay refuses the work dir while it is there).
      std::string marker = *work + "/work/incompat/volatile";
      ::unlink((marker + "/dirty").c_str());
      ::rmdir(marker.c_str());
      HAKO_TRY_CTX(sys::fs_config_flag(fs->get(), "volatile"), what);
    }
  }
  HAKO_TRY_CTX(sys::fs_config_create(fs->get()), what);
  auto mnt = sys::fs_mount(fs->get(), upper ? 0 : MOUNT_ATTR_RDONLY);
  if (!mnt) return std::move(mnt).error().context(what);
  HAKO_TRY_CTX(sys::move_mount_to(mnt->get(), target), what);
  return MountGuard(target);
}

Result<RwDirs> prepare_rw_dirs(const std::string& dir) {
  RwDirs d{dir + "/upper", dir + "/work"};
  HAKO_TRY(sys::make_dirs(d.upper, 0755));
  // The work dir holds overlay's in-flight copy-ups; nobody else has business in it.
  HAKO_TRY(sys::make_dirs(d.work, 0700));
  return d;
}

}  // namespace hako::snapshot
