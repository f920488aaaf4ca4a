#include "cgroup/manager.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/scope_exit.h"
#include "base/strings.h"
#include "cgroup/control_files.h"
#include "cgroup/device_rules.h"
#include "cgroup/resource_values.h"
#include "cgroup/v1_resources.h"
#include "cgroup/v2_resources.h"
#include "sys/file.h"

namespace hako::cgroup {
namespace {

struct Opened {
  UniqueFd fd;
  int created = 0;  // trailing components this call made
};

struct WalkOptions {
  bool copy_cpuset = false;  // v1 cpuset hierarchy
  bool is_v2 = false;
  bool enable_all = false;  // pure v2: every controller the parent offers
  const std::set<std::string>* v2_wanted = nullptr;
};

// Opens mount_point/rel one component at a time, creating what is missing, holding an fd to each
// level so a rename or a concurrent rmdir cannot redirect the walk. On v1 cpuset every level is
// populated from its parent; on v2 every parent passes the wanted controllers down. On failure the
// directories this call made are removed again.
Result<Opened> open_or_create(const std::string& mount_point, const std::string& rel,
                              const WalkOptions& o) {
  const auto parts = split(rel, '/');
  std::vector<std::string> made;
  auto undo = [&](Error e) {
    for (auto it = made.rbegin(); it != made.rend(); ++it) ::rmdir(it->c_str());
    return e;
  };
  for (int attempt = 0;; ++attempt) {
    HAKO_TRY_ASSIGN(UniqueFd parent, sys::open_path(mount_point, O_RDONLY | O_DIRECTORY));
    std::string parent_path = mount_point;
    bool vanished = false;
    made.clear();
    for (const auto& name : parts) {
      std::string path = parent_path + "/" + name;
      if (o.is_v2)
        v2::enable_controllers(ControlFiles(parent.get(), parent_path), *o.v2_wanted, o.enable_all);
      if (::mkdirat(parent.get(), name.c_str(), 0755) == 0) {
        made.push_back(path);
      } else if (errno != EEXIST) {
        // ENOENT: another container's destroy removed an empty shared parent (/hako) between our
        // steps. Walk again from the top; what we made below it went with it.
        if (errno == ENOENT && attempt < 3) {
          vanished = true;
          break;
        }
        return undo(sys_error("mkdir " + path));
      }
      int fd =
          ::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT && attempt < 3) {
          vanished = true;
          break;
        }
        return undo(sys_error("open " + path));
      }
      UniqueFd child(fd);
      if (o.copy_cpuset) {
        Status s = v1::copy_cpuset_from_parent(ControlFiles(parent.get(), parent_path),
                                               ControlFiles(child.get(), path));
        if (!s) return undo(std::move(s).error());
      }
      parent = std::move(child);
      parent_path = std::move(path);
    }
    if (!vanished) return Opened{std::move(parent), static_cast<int>(made.size())};
  }
}

bool has_cpu_settings(const oci::CpuResources& c) {
  return c.shares || c.quota || c.period || c.burst || c.realtime_runtime || c.realtime_period ||
         c.idle;
}

// On hybrid, the cgroup2 controllers that the spec needs because no v1 hierarchy holds them.
std::set<std::string> v2_controllers_needed(const Layout& layout, const oci::Resources& r) {
  std::set<std::string> out;
  auto want = [&](bool needed, const char* v1_name, const char* v2_name) {
    if (needed && !layout.find_v1(v1_name)) out.insert(v2_name);
  };
  want(r.memory.has_value(), "memory", "memory");
  want(r.cpu && has_cpu_settings(*r.cpu), "cpu", "cpu");
  want(r.cpu && (!r.cpu->cpus.empty() || !r.cpu->mems.empty()), "cpuset", "cpuset");
  want(r.pids_limit.has_value(), "pids", "pids");
  want(r.block_io.has_value(), "blkio", "io");
  want(!r.hugepage_limits.empty(), "hugetlb", "hugetlb");
  for (const auto& [key, value] : r.unified) {
    std::string controller = key.substr(0, key.find('.'));
    if (controller != "cgroup") out.insert(controller);
  }
  return out;
}

}  // namespace

Result<Manager> Manager::create(const Layout& layout, const CgroupPath& path,
                                const oci::Resources& resources, const CreateOptions& options) {
  // Everything that can be refused without touching the host is refused first.
  HAKO_TRY_ASSIGN(std::vector<DeviceRule> rules, normalize_device_rules(resources.devices));
  for (const auto& [key, value] : resources.unified) HAKO_TRY(check_unified_key(key));
  if (!resources.unified.empty() && !layout.find_v2())
    return failed_precondition("linux.resources.unified: cgroup v2 is not mounted on this host");

  const bool pure_v2 = layout.mode == Mode::kV2;
  const std::set<std::string> v2_wanted =
      pure_v2 ? std::set<std::string>{} : v2_controllers_needed(layout, resources);

  Manager m;
  std::vector<int> made;  // per directory: levels this call created, for the rollback
  auto rollback = ScopeExit([&] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (size_t i = 0; i < m.dirs_.size(); ++i) {
      if (made[i] == 0) continue;  // the leaf existed before us: not ours to remove
      (void)remove_dir(m.dirs_[i], made[i], deadline);
    }
  });

  for (const auto& h : layout.hierarchies) {
    HAKO_TRY_ASSIGN(std::string rel, path_below_mount(h, path));
    WalkOptions walk;
    walk.copy_cpuset = !h.is_v2 && h.has("cpuset");
    walk.is_v2 = h.is_v2;
    walk.enable_all = pure_v2;
    walk.v2_wanted = &v2_wanted;
    std::string dir = h.mount_point + "/" + rel;
    auto opened = open_or_create(h.mount_point, rel, walk);
    if (!opened) return std::move(opened).error().context("create cgroup " + dir);
    m.dirs_.push_back(CgroupDir{h.key(), dir, std::max(opened->created, path.owned_levels)});
    m.fds_.push_back(std::move(opened->fd));
    made.push_back(opened->created);
  }

  HAKO_TRY(m.apply(resources, rules, options));
  rollback.dismiss();
  return m;
}

Result<Manager> Manager::load(std::vector<CgroupDir> dirs) {
  Manager m;
  for (const auto& d : dirs) {
    if (d.path.empty() || d.path[0] != '/')
      return invalid_argument("stored cgroup path \"" + d.path + "\" is not absolute");
    int fd = ::open(d.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) return sys_error("open cgroup " + d.path);
    m.fds_.emplace_back(fd);
  }
  m.dirs_ = std::move(dirs);
  return m;
}

Status Manager::add_process(pid_t pid) const {
  const std::string value = std::to_string(pid);
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (!fds_[i])
      return not_found("add process " + value + ": cgroup " + dirs_[i].path + " is gone");
    HAKO_TRY(ControlFiles(fds_[i].get(), dirs_[i].path)
                 .write("cgroup.procs", value, "add process " + value));
  }
  return ok();
}

int Manager::clone_into_fd() const {
  for (size_t i = 0; i < dirs_.size(); ++i)
    if (dirs_[i].hierarchy.empty()) return fds_[i].get();
  return -1;
}

int Manager::join_from_child() const noexcept {
  for (size_t i = 0; i < dirs_.size(); ++i) {
    if (dirs_[i].hierarchy.empty()) continue;  // cgroup2: CLONE_INTO_CGROUP put us there
    int fd = ::openat(fds_[i].get(), "tasks", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    // "0" is the writer itself; for one thread moving itself the kernel takes no global lock.
    ssize_t n = ::write(fd, "0\n", 2);
    int err = n == 2 ? 0 : n < 0 ? errno : EIO;
    ::close(fd);
    if (err) return err;
  }
  return 0;
}

}  // namespace hako::cgroup
