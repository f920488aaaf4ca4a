// Manager::apply: routes each part of oci::Resources to the directory that holds its controller
// (the v1 hierarchy that has it, else the cgroup2 directory with v2 semantics, else an error
// naming the field) in runc's order: cpuset, devices, memory, cpu, pids, blkio, hugetlb, network,
// then `unified`, whose raw values override.
#include <optional>

#include "base/strings.h"
#include "cgroup/control_files.h"
#include "cgroup/device_filter.h"
#include "cgroup/manager.h"
#include "cgroup/v1_resources.h"
#include "cgroup/v2_resources.h"

namespace hako::cgroup {
namespace {

struct Target {
  ControlFiles files;
  bool v2;
};

class Router {
 public:
  Router(const std::vector<CgroupDir>& dirs, const std::vector<UniqueFd>& fds)
      : dirs_(dirs), fds_(fds) {
    for (size_t i = 0; i < dirs_.size(); ++i)
      if (dirs_[i].hierarchy.empty()) v2_ = static_cast<int>(i);
  }

  std::optional<ControlFiles> v1(std::string_view controller) const {
    for (size_t i = 0; i < dirs_.size(); ++i)
      if (!dirs_[i].hierarchy.empty())
        for (const auto& c : split(dirs_[i].hierarchy, ','))
          if (c == controller) return at(i);
    return std::nullopt;
  }
  std::optional<ControlFiles> v2() const {
    if (v2_ < 0) return std::nullopt;
    return at(static_cast<size_t>(v2_));
  }
  Target route(std::string_view v1_name, std::string_view v2_name) const {
    if (auto f = v1(v1_name)) return {*f, false};
    if (auto f = v2()) return {*f, true};
    return {ControlFiles::missing(std::string(v2_name)), false};
  }

 private:
  ControlFiles at(size_t i) const { return ControlFiles(fds_[i].get(), dirs_[i].path); }

  const std::vector<CgroupDir>& dirs_;
  const std::vector<UniqueFd>& fds_;
  int v2_ = -1;
};

Status apply_devices(const Router& router, const std::vector<DeviceRule>& rules) {
  if (auto f = router.v1("devices")) return v1::apply_devices(*f, rules);
  if (auto f = router.v2())
    // cgroup v2 has no devices files: the policy becomes an eBPF program on the directory.
    return attach_device_filter(f->fd(), f->path(),
                                device_filter_program(fold_device_rules(rules)));
  if (rules.empty()) return ok();
  return Error(ErrorCode::kNotImplemented,
               "linux.resources.devices: the devices controller is not available on this host");
}

}  // namespace

Status Manager::apply(const oci::Resources& r, const std::vector<DeviceRule>& rules,
                      const CreateOptions& options) const {
  Router router(dirs_, fds_);
  if (r.cpu) {
    Target t = router.route("cpuset", "cpuset");
    HAKO_TRY(t.v2 ? v2::apply_cpuset(t.files, *r.cpu) : v1::apply_cpuset(t.files, *r.cpu));
  }
  if (!options.skip_devices) HAKO_TRY(apply_devices(router, rules));
  if (r.memory) {
    Target t = router.route("memory", "memory");
    HAKO_TRY(t.v2 ? v2::apply_memory(t.files, *r.memory) : v1::apply_memory(t.files, *r.memory));
  }
  if (r.cpu) {
    Target t = router.route("cpu", "cpu");
    HAKO_TRY(t.v2 ? v2::apply_cpu(t.files, *r.cpu) : v1::apply_cpu(t.files, *r.cpu));
  }
  if (r.pids_limit) {
    Target t = router.route("pids", "pids");
    HAKO_TRY(t.v2 ? v2::apply_pids(t.files, *r.pids_limit)
                  : v1::apply_pids(t.files, *r.pids_limit));
  }
  if (r.block_io) {
    Target t = router.route("blkio", "io");
    HAKO_TRY(t.v2 ? v2::apply_io(t.files, *r.block_io) : v1::apply_blkio(t.files, *r.block_io));
  }
  if (!r.hugepage_limits.empty()) {
    Target t = router.route("hugetlb", "hugetlb");
    HAKO_TRY(t.v2 ? v2::apply_hugetlb(t.files, r.hugepage_limits)
                  : v1::apply_hugetlb(t.files, r.hugepage_limits));
  }
  if (r.network) {
    // net_cls and net_prio exist on v1 only; cgroup v2 leaves this to eBPF and nftables.
    auto cls = router.v1("net_cls").value_or(ControlFiles::missing("net_cls (v1)"));
    auto prio = router.v1("net_prio").value_or(ControlFiles::missing("net_prio (v1)"));
    HAKO_TRY(v1::apply_network(cls, prio, *r.network));
  }
  if (!r.unified.empty()) {
    auto f = router.v2();
    if (!f)
      return failed_precondition("linux.resources.unified: cgroup v2 is not mounted on this host");
    HAKO_TRY(v2::apply_unified(*f, r.unified));
  }
  return ok();
}

Status Manager::update(const oci::Resources& resources) const {
  if (!resources.devices.empty())
    return invalid_argument(
        "linux.resources.devices: device rules cannot be updated on a running container");
  CreateOptions options;
  options.skip_devices = true;
  return apply(resources, {}, options);
}

}  // namespace hako::cgroup
