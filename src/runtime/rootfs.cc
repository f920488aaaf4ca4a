#include "runtime/rootfs.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sys/file.h"
#include "sys/mount.h"

namespace hako::runtime {

namespace {

bool source_is_file(const std::string& source) {
  struct stat st;
  return ::stat(source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

// Flags a read-only or nosuid remount must keep: in a user namespace the kernel refuses to
// clear flags that were locked on the original mount (EPERM), so we re-apply what is set.
unsigned long locked_flags(const std::string& path) {
  struct statvfs sv;
  if (::statvfs(path.c_str(), &sv) != 0) return 0;
  unsigned long f = 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

Status mount_step(int root_fd, const MountStep& step, int idmap_fd) {
  bool file = step.bind && source_is_file(step.source);
  HAKO_TRY_ASSIGN(UniqueFd target, sys::create_in_root(root_fd, step.destination, file));
  std::string where = sys::fd_path(target.get());
  if (idmap_fd >= 0) {
    HAKO_TRY_CTX(sys::move_mount_onto_fd(idmap_fd, target.get()), "mount " + step.destination);
  } else if (step.bind) {
    HAKO_TRY_CTX(sys::mount_fs(step.source, where, "", step.flags, ""),
                 "mount " + step.destination);
  } else {
    HAKO_TRY_CTX(sys::mount_fs(step.source.empty() ? step.type : step.source, where, step.type,
                               step.flags, step.data),
                 "mount " + step.destination);
  }
  if (!step.remount && !step.propagation) return ok();
  // The fd still names the directory underneath; reopen to reach the new mount's root.
  HAKO_TRY_ASSIGN(UniqueFd mounted, sys::open_in_root(root_fd, step.destination));
  std::string mwhere = sys::fd_path(mounted.get());
  if (step.remount) {
    unsigned long keep = locked_flags(mwhere) & ~MS_RDONLY;
    HAKO_TRY_CTX(
        sys::mount_fs("", mwhere, "", MS_REMOUNT | MS_BIND | step.remount_flags | keep, ""),
        "remount " + step.destination);
  }
  if (step.propagation)
    HAKO_TRY_CTX(sys::mount_fs("", mwhere, "", step.propagation, ""),
                 "set propagation of " + step.destination);
  return ok();
}

Status mount_cgroups(int root_fd, const MountStep& step, const RootfsContext& ctx) {
  bool ro = step.flags & MS_RDONLY;
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (ro ? MS_RDONLY : 0);
  bool any_v1 = false;
  for (const auto& cg : ctx.cgroup_mounts) any_v1 |= cg.type == "cgroup";
  HAKO_TRY_ASSIGN(UniqueFd target, sys::create_in_root(root_fd, step.destination, false));
  if (!any_v1 && ctx.cgroup_mounts.size() == 1) {
    // Pure v2: the mount point is the hierarchy itself.
    const auto& cg = ctx.cgroup_mounts[0];
    if (ctx.new_cgroup_ns)
      return sys::mount_fs("cgroup2", sys::fd_path(target.get()), "cgroup2", flags, "");
    HAKO_TRY(sys::mount_fs(cg.host_path, sys::fd_path(target.get()), "", MS_BIND | MS_REC, ""));
    // A bind ignores flags on creation: without this remount the container could write its
    // own limits.
    HAKO_TRY_ASSIGN(UniqueFd bound, sys::open_in_root(root_fd, step.destination));
    return sys::mount_fs("", sys::fd_path(bound.get()), "", MS_REMOUNT | MS_BIND | flags, "");
  }
  // v1 and hybrid: a tmpfs holding one directory per hierarchy, as the host lays it out.
  HAKO_TRY(sys::mount_fs("tmpfs", sys::fd_path(target.get()), "tmpfs",
                         MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755"));
  for (const auto& cg : ctx.cgroup_mounts) {
    std::string dest = step.destination + "/" + cg.name;
    HAKO_TRY_ASSIGN(UniqueFd sub, sys::create_in_root(root_fd, dest, false));
    std::string where = sys::fd_path(sub.get());
    if (ctx.new_cgroup_ns) {
      HAKO_TRY(
          sys::mount_fs("cgroup", where, cg.type, flags, cg.type == "cgroup" ? cg.options : ""));
    } else {
      HAKO_TRY(sys::mount_fs(cg.host_path, where, "", MS_BIND | MS_REC, ""));
      // Reopen: the old fd names the directory underneath the new bind mount.
      HAKO_TRY_ASSIGN(UniqueFd bound, sys::open_in_root(root_fd, dest));
      HAKO_TRY(sys::mount_fs("", sys::fd_path(bound.get()), "", MS_REMOUNT | MS_BIND | flags, ""));
    }
  }
  if (ro) {
    HAKO_TRY_ASSIGN(UniqueFd mounted, sys::open_in_root(root_fd, step.destination));
    HAKO_TRY(sys::mount_fs("", sys::fd_path(mounted.get()), "",
                           MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           ""));
  }
  return ok();
}

struct DefaultDevice {
  const char* path;
  unsigned major, minor;
};
constexpr DefaultDevice kDefaultDevices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

Status make_device(int root_fd, const oci::Device& dev, bool in_user_ns) {
  std::string parent = dev.path.substr(0, dev.path.find_last_of('/'));
  HAKO_TRY_ASSIGN(UniqueFd dir, sys::create_in_root(root_fd, parent.empty() ? "/" : parent, false));
  std::string name = dev.path.substr(dev.path.find_last_of('/') + 1);
  if (in_user_ns) {
    // mknod is not allowed in a user namespace: bind the host's node instead (as runc does).
    HAKO_TRY_ASSIGN(UniqueFd target, sys::create_in_root(root_fd, dev.path, true));
    return sys::mount_fs(dev.path, sys::fd_path(target.get()), "", MS_BIND, "");
  }
  mode_t type = dev.type == "b" ? S_IFBLK : dev.type == "p" ? S_IFIFO : S_IFCHR;
  mode_t perm = dev.file_mode ? (*dev.file_mode & 07777) : 0666;
  ::unlinkat(dir.get(), name.c_str(), 0);
  // The dir fd is O_PATH; mknodat needs a real directory fd.
  HAKO_TRY_ASSIGN(UniqueFd real_dir, sys::open_at(dir.get(), ".", O_RDONLY | O_DIRECTORY));
  if (::mknodat(real_dir.get(), name.c_str(), type | perm, makedev(dev.major, dev.minor)) != 0)
    return sys_error("mknod " + dev.path);
  // mknod honours the umask; set the exact mode and owner the spec asks for.
  if (::fchmodat(real_dir.get(), name.c_str(), perm, 0) != 0) return sys_error("chmod " + dev.path);
  if (::fchownat(real_dir.get(), name.c_str(), dev.uid.value_or(0), dev.gid.value_or(0),
                 AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("chown " + dev.path);
  return ok();
}

Status setup_dev(int root_fd, const RootfsContext& ctx) {
  const auto& devices = ctx.spec->linux ? ctx.spec->linux->devices : std::vector<oci::Device>{};
  for (const auto& d : kDefaultDevices) {
    oci::Device dev{"c", d.path, d.major, d.minor, 0666, 0, 0};
    bool overridden = false;
    for (const auto& sd : devices) overridden |= sd.path == d.path;
    if (!overridden) HAKO_TRY(make_device(root_fd, dev, ctx.in_user_ns));
  }
  for (const auto& dev : devices) HAKO_TRY(make_device(root_fd, dev, ctx.in_user_ns));
  HAKO_TRY_ASSIGN(UniqueFd devdir_path, sys::open_in_root(root_fd, "/dev", O_DIRECTORY));
  HAKO_TRY_ASSIGN(UniqueFd devdir, sys::open_at(devdir_path.get(), ".", O_RDONLY | O_DIRECTORY));
  struct Link {
    const char* target;
    const char* name;
  };
  static constexpr Link kLinks[] = {{"/proc/self/fd", "fd"},
                                    {"/proc/self/fd/0", "stdin"},
                                    {"/proc/self/fd/1", "stdout"},
                                    {"/proc/self/fd/2", "stderr"},
                                    {"/proc/kcore", "core"}};
  for (const auto& l : kLinks) {
    if (::symlinkat(l.target, devdir.get(), l.name) != 0 && errno != EEXIST)
      return sys_error(std::string("symlink /dev/") + l.name);
  }
  struct stat st;
  if (::fstatat(devdir.get(), "pts/ptmx", &st, 0) == 0) {
    ::unlinkat(devdir.get(), "ptmx", 0);
    if (::symlinkat("pts/ptmx", devdir.get(), "ptmx") != 0) return sys_error("symlink /dev/ptmx");
  }
  return ok();
}

// As runc: /dev is ours to populate unless the spec binds something there (a host /dev, say),
// in which case every node we made would land in that host directory.
bool needs_dev_setup(const oci::Spec& spec) {
  for (const auto& m : spec.mounts) {
    if (m.destination != "/dev") continue;
    if (m.type == "bind" || parse_mount_options(m.options).bind) return false;
  }
  return true;
}

}  // namespace

Status prepare_rootfs(RootfsContext& ctx) {
  std::string prop = ctx.spec->linux ? ctx.spec->linux->rootfs_propagation : "";
  // Our mounts must not propagate back to the host (rslave by default, as runc).
  unsigned long root_prop = rootfs_propagation_flags(prop);
  if (root_prop & MS_SHARED) root_prop = MS_SLAVE | MS_REC;  // made shared again after pivot
  HAKO_TRY(sys::mount_fs("", "/", "", root_prop, ""));
  // pivot_root needs the new root to be a mount point.
  if (ctx.idmapped_root) {
    HAKO_TRY_CTX(sys::move_mount_to(ctx.idmapped_root.get(), ctx.rootfs), "idmapped rootfs");
    ctx.idmapped_root.reset();
  } else {
    HAKO_TRY(sys::mount_fs(ctx.rootfs, ctx.rootfs, "", MS_BIND | MS_REC, ""));
  }
  HAKO_TRY_ASSIGN(UniqueFd root_fd, sys::open_path(ctx.rootfs, O_PATH | O_DIRECTORY));
  bool cgroup_ready = false;
  for (size_t i = 0; i < ctx.mounts.size(); ++i) {
    const MountStep& step = ctx.mounts[i];
    if (step.cgroup) {
      if (!cgroup_ready && ctx.before_cgroup) HAKO_TRY(ctx.before_cgroup());
      cgroup_ready = true;
      HAKO_TRY_CTX(mount_cgroups(root_fd.get(), step, ctx), "mount " + step.destination);
      continue;
    }
    int idmap_fd = i < ctx.idmap_fds.size() ? ctx.idmap_fds[i].get() : -1;
    HAKO_TRY(mount_step(root_fd.get(), step, idmap_fd));
  }
  if (needs_dev_setup(*ctx.spec)) HAKO_TRY(setup_dev(root_fd.get(), ctx));
  if (!cgroup_ready && ctx.before_cgroup) HAKO_TRY(ctx.before_cgroup());
  return ok();
}

Result<UniqueFd> open_verified_dev_null() {
  // No symlink may lead elsewhere (the image could point /dev/null at /proc/sysrq-trigger,
  // CVE-2025-31133), and what we find must be the null device itself.
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, AT_FDCWD, "/dev/null", &how, sizeof how);
  if (fd < 0) return sys_error("open /dev/null in the container to mask paths with");
  UniqueFd out(static_cast<int>(fd));
  struct stat st;
  if (::fstat(out.get(), &st) != 0) return sys_error("stat /dev/null");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
    return failed_precondition(
        "/dev/null in the container is not the null device: refusing to mask paths with it");
  return out;
}

Status enter_rootfs(const RootfsContext& ctx, bool no_pivot) {
  if (::chdir(ctx.rootfs.c_str()) != 0) return sys_error("chdir " + ctx.rootfs);
  if (no_pivot) {
    HAKO_TRY(sys::mount_fs(ctx.rootfs, "/", "", MS_MOVE, ""));
    if (::chroot(".") != 0) return sys_error("chroot " + ctx.rootfs);
  } else {
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then
    // removes it without needing a directory for it inside the image.
    if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error("pivot_root " + ctx.rootfs);
    // Make sure the unmount cannot propagate to the host.
    HAKO_TRY(sys::mount_fs("", ".", "", MS_SLAVE | MS_REC, ""));
    if (::umount2(".", MNT_DETACH) != 0) return sys_error("detach the old root");
  }
  if (::chdir("/") != 0) return sys_error("chdir /");
  return ok();
}

static Status mask_path(const std::string& path, int dev_null) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ok();  // nothing to hide
  if (S_ISDIR(st.st_mode)) return sys::mount_fs("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k");
  // A /dev/null checked by open_verified_dev_null: never an image's symlink to, say,
  // /proc/sysrq-trigger, which would then be bound writable over the path (CVE-2025-31133).
  return sys::mount_fs(sys::fd_path(dev_null), path, "", MS_BIND, "");
}

static Status readonly_path(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return ok();
  HAKO_TRY(sys::mount_fs(path, path, "", MS_BIND | MS_REC, ""));
  return sys::mount_fs("", path, "", MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags(path), "");
}

Status finish_rootfs(const oci::Spec& spec, int dev_null) {
  if (spec.linux) {
    const auto& lx = *spec.linux;
    if (!lx.rootfs_propagation.empty())
      HAKO_TRY(sys::mount_fs("", "/", "", rootfs_propagation_flags(lx.rootfs_propagation), ""));
    for (const auto& p : lx.readonly_paths) HAKO_TRY_CTX(readonly_path(p), "readonly path " + p);
    for (const auto& p : lx.masked_paths) HAKO_TRY_CTX(mask_path(p, dev_null), "masked path " + p);
  }
  if (spec.root && spec.root->readonly)
    HAKO_TRY_CTX(
        sys::mount_fs("", "/", "", MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), ""),
        "make the root read-only");
  return ok();
}

}  // namespace hako::runtime
