#include "cgroup/path.h"

#include <vector>

#include "base/strings.h"

namespace hako::cgroup {
namespace {

// Lexical clean: drops "" and "." components and applies "..", refusing to climb above the start.
Result<std::vector<std::string>> clean_components(std::string_view path, std::string_view what) {
  if (path.find('\0') != std::string_view::npos)
    return invalid_argument(std::string(what) + ": contains a NUL byte");
  std::vector<std::string> out;
  for (auto& c : split(path, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (out.empty())
        return invalid_argument(std::string(what) + " \"" + std::string(path) +
                                "\": \"..\" climbs above the cgroup root");
      out.pop_back();
      continue;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

bool is_within(std::string_view path, std::string_view root) {
  if (root == "/" || root.empty()) return !path.empty() && path[0] == '/';
  if (!starts_with(path, root)) return false;
  return path.size() == root.size() || path[root.size()] == '/';
}

Result<CgroupPath> parse_cgroup_path(std::string_view cgroups_path, std::string_view container_id) {
  CgroupPath out;
  if (cgroups_path.empty()) {
    if (container_id.empty() || container_id == "." || container_id == ".." ||
        container_id.find('/') != std::string_view::npos ||
        container_id.find('\0') != std::string_view::npos)
      return invalid_argument("container id \"" + std::string(container_id) +
                              "\" cannot name a cgroup");
    out.path = std::string(kDefaultParent) + "/" + std::string(container_id);
    out.owned_levels = 2;
    return out;
  }
  out.relative = cgroups_path[0] != '/';
  HAKO_TRY_ASSIGN(auto parts, clean_components(cgroups_path, "linux.cgroupsPath"));
  if (parts.empty())
    return invalid_argument("linux.cgroupsPath \"" + std::string(cgroups_path) + "\" names the " +
                            (out.relative ? "caller's own" : "root") +
                            " cgroup; give the container a cgroup of its own");
  out.path = join(parts, "/");
  return out;
}

Result<std::string> path_below_mount(const Hierarchy& h, const CgroupPath& p) {
  if (!p.relative) return p.path;
  // The caller's cgroup is listed from the hierarchy's (or the cgroup namespace's) root; the mount
  // may show only a subtree of it (nested containers), so strip the mounted root first.
  if (!is_within(h.own_path, h.mount_root))
    return failed_precondition("the caller's cgroup " + h.own_path + " in hierarchy \"" + h.key() +
                               "\" is outside the part mounted at " + h.mount_point + " (" +
                               h.mount_root + ")");
  std::string_view own = h.own_path;
  if (h.mount_root != "/") own.remove_prefix(h.mount_root.size());
  HAKO_TRY_ASSIGN(auto base, clean_components(own, "cgroup of the caller"));
  base.push_back(p.path);
  return join(base, "/");
}

}  // namespace hako::cgroup
