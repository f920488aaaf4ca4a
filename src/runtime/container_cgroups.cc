#include "runtime/container_cgroups.h"

#include <optional>

#include "cgroup/device_rules.h"
#include "cgroup/layout.h"
#include "cgroup/manager.h"
#include "cgroup/path.h"

namespace hako::runtime {

struct ContainerCgroups::Impl {
  std::optional<cgroup::Manager> manager;
  std::vector<CgroupMount> mounts;
};

ContainerCgroups::ContainerCgroups() : impl_(std::make_unique<Impl>()) {}
ContainerCgroups::~ContainerCgroups() = default;
ContainerCgroups::ContainerCgroups(ContainerCgroups&&) noexcept = default;
ContainerCgroups& ContainerCgroups::operator=(ContainerCgroups&&) noexcept = default;

static std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<ContainerCgroups> ContainerCgroups::create(const oci::Spec& spec, const std::string& id) {
  HAKO_TRY_ASSIGN(cgroup::Layout layout, cgroup::discover_layout());
  const std::string& path_text = spec.linux ? spec.linux->cgroups_path : std::string();
  auto path = cgroup::parse_cgroup_path(path_text, id);
  if (!path) return std::move(path).error().context("linux.cgroupsPath");
  oci::Resources resources;
  if (spec.linux && spec.linux->resources) resources = *spec.linux->resources;
  // Every container may use the standard /dev nodes and its spec's devices (runc does the
  // same): the spec's rules first, then the defaults.
  if (spec.linux) resources.devices = cgroup::with_default_device_rules(*spec.linux);
  cgroup::CreateOptions options;
  auto manager = cgroup::Manager::create(layout, *path, resources, options);
  if (!manager) return std::move(manager).error().context("create cgroups");
  ContainerCgroups out;
  for (const auto& h : layout.hierarchies) {
    for (const auto& dir : manager->paths()) {
      if (dir.hierarchy != h.key()) continue;
      std::string options_text;
      for (size_t i = 0; i < h.controllers.size(); ++i)
        options_text += (i ? "," : "") + h.controllers[i];
      out.impl_->mounts.push_back(
          {basename_of(h.mount_point), h.is_v2 ? "cgroup2" : "cgroup", options_text, dir.path});
    }
  }
  out.impl_->manager.emplace(std::move(*manager));
  return out;
}

Result<ContainerCgroups> ContainerCgroups::load(const std::vector<StoredCgroup>& stored) {
  std::vector<cgroup::CgroupDir> dirs;
  for (const auto& s : stored) dirs.push_back({s.hierarchy, s.path, s.created_levels});
  HAKO_TRY_ASSIGN(cgroup::Manager manager, cgroup::Manager::load(std::move(dirs)));
  ContainerCgroups out;
  out.impl_->manager.emplace(std::move(manager));
  return out;
}

Status ContainerCgroups::add_process(pid_t pid) { return impl_->manager->add_process(pid); }

int ContainerCgroups::clone_into_fd() const { return impl_->manager->clone_into_fd(); }

int ContainerCgroups::join_from_child() const noexcept { return impl_->manager->join_from_child(); }

Status ContainerCgroups::update(const oci::Resources& resources) {
  return impl_->manager->update(resources);
}

Status ContainerCgroups::set_frozen(bool frozen) { return impl_->manager->set_frozen(frozen); }

bool ContainerCgroups::is_frozen() const {
  auto r = impl_->manager->is_frozen();
  return r && *r;
}

Status ContainerCgroups::destroy() { return impl_->manager->destroy(); }

Result<std::vector<pid_t>> ContainerCgroups::pids() const { return impl_->manager->pids(); }

std::vector<StoredCgroup> ContainerCgroups::stored() const {
  std::vector<StoredCgroup> out;
  for (const auto& d : impl_->manager->paths())
    out.push_back({d.hierarchy, d.path, d.created_levels});
  return out;
}

std::vector<CgroupMount> ContainerCgroups::mounts() const { return impl_->mounts; }

}  // namespace hako::runtime
