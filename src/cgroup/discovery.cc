#include "cgroup/layout.h"

#include <algorithm>
#include <optional>

#include "base/strings.h"
#include "cgroup/path.h"
#include "sys/file.h"

namespace hako::cgroup {
namespace {

struct CgroupMount {
  bool is_v2 = false;
  std::string mount_point;
  std::string root;
  std::vector<std::string> super_options;
};

struct ProcCgroupLine {
  bool is_v2 = false;
  std::vector<std::string> controllers;
  std::string path;
};

// mountinfo escapes space, tab, newline and backslash as \ooo octal (fs/proc_namespace.c).
std::string unescape_octal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      std::string_view oct = s.substr(i + 1, 3);
      if (std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime shared:9 - cgroup cgroup rw,devices"
Result<std::optional<CgroupMount>> parse_mount_line(std::string_view line) {
  // Cheap filter first: mountinfo of a busy host has thousands of overlay and bind lines.
  size_t dash = line.find(" - cgroup");
  if (dash == std::string_view::npos) return std::optional<CgroupMount>();
  auto f = fields(line);
  auto sep = std::find(f.begin(), f.end(), "-");
  if (f.size() < 6 || sep == f.end() || f.end() - sep < 4)
    return invalid_argument("malformed mountinfo line: " + std::string(line));
  std::string_view fstype = sep[1];
  if (fstype != "cgroup" && fstype != "cgroup2") return std::optional<CgroupMount>();
  CgroupMount m;
  m.is_v2 = fstype == "cgroup2";
  m.root = unescape_octal(f[3]);
  m.mount_point = unescape_octal(f[4]);
  m.super_options = split(sep[3], ',');
  return std::optional<CgroupMount>(std::move(m));
}

// "4:memory:/user.slice", "1:name=systemd:/", "0::/init.scope"
Result<ProcCgroupLine> parse_cgroup_line(std::string_view line) {
  size_t c1 = line.find(':');
  size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
  if (c2 == std::string_view::npos)
    return invalid_argument("malformed /proc/self/cgroup line: " + std::string(line));
  ProcCgroupLine out;
  std::string_view id = line.substr(0, c1);
  std::string_view ctrls = line.substr(c1 + 1, c2 - c1 - 1);
  out.path = std::string(line.substr(c2 + 1));
  out.is_v2 = id == "0" && ctrls.empty();
  if (!ctrls.empty()) out.controllers = split(ctrls, ',');
  if (out.path.empty() || out.path[0] != '/')
    return invalid_argument("malformed /proc/self/cgroup line: " + std::string(line));
  return out;
}

bool mount_holds(const CgroupMount& m, const ProcCgroupLine& l) {
  if (m.is_v2 != l.is_v2) return false;
  if (l.is_v2) return true;
  // Super options list the hierarchy's controllers among flags such as rw, xattr or
  // clone_children; matching on the controller names from /proc/self/cgroup avoids keeping a
  // list of flags that grows with each kernel.
  return std::all_of(l.controllers.begin(), l.controllers.end(), [&](const std::string& c) {
    return std::find(m.super_options.begin(), m.super_options.end(), c) != m.super_options.end();
  });
}

const CgroupMount* pick_mount(const std::vector<CgroupMount>& mounts, const ProcCgroupLine& l) {
  const CgroupMount* containing = nullptr;
  const CgroupMount* first = nullptr;
  for (const auto& m : mounts) {
    if (!mount_holds(m, l)) continue;
    if (m.root == "/") return &m;
    if (!containing && is_within(l.path, m.root)) containing = &m;
    if (!first) first = &m;
  }
  return containing ? containing : first;
}

}  // namespace

bool Hierarchy::has(std::string_view controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

std::string Hierarchy::key() const { return is_v2 ? std::string() : join(controllers, ","); }

const Hierarchy* Layout::find_v1(std::string_view controller) const {
  for (const auto& h : hierarchies)
    if (!h.is_v2 && h.has(controller)) return &h;
  return nullptr;
}

const Hierarchy* Layout::find_v2() const {
  for (const auto& h : hierarchies)
    if (h.is_v2) return &h;
  return nullptr;
}

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::kV1:
      return "v1";
    case Mode::kHybrid:
      return "hybrid";
    case Mode::kV2:
      return "v2";
  }
  return "unknown";
}

Result<Layout> parse_layout(std::string_view mountinfo, std::string_view proc_self_cgroup) {
  std::vector<CgroupMount> mounts;
  for (const auto& line : split(mountinfo, '\n')) {
    if (line.empty()) continue;
    HAKO_TRY_ASSIGN(auto m, parse_mount_line(line));
    if (m) mounts.push_back(std::move(*m));
  }

  Layout layout;
  bool v1_has_controllers = false;
  for (const auto& text : split(proc_self_cgroup, '\n')) {
    if (text.empty()) continue;
    HAKO_TRY_ASSIGN(ProcCgroupLine line, parse_cgroup_line(text));
    // A hierarchy listed here but mounted nowhere in our mount namespace cannot be used.
    const CgroupMount* m = pick_mount(mounts, line);
    if (!m) continue;
    Hierarchy h;
    h.is_v2 = line.is_v2;
    h.controllers = line.controllers;
    h.mount_point = m->mount_point;
    h.mount_root = m->root;
    h.own_path = line.path;
    if (!h.is_v2)
      for (const auto& c : h.controllers)
        if (!starts_with(c, "name=")) v1_has_controllers = true;
    layout.hierarchies.push_back(std::move(h));
  }
  if (layout.hierarchies.empty()) return not_found("no cgroup hierarchy is mounted");
  bool has_v2 = layout.find_v2() != nullptr;
  layout.mode = !has_v2 ? Mode::kV1 : v1_has_controllers ? Mode::kHybrid : Mode::kV2;
  // /proc/self/cgroup lists hierarchies by descending id; put them in id order, cgroup2 last,
  // so the order of writes does not depend on the kernel's listing.
  std::reverse(layout.hierarchies.begin(), layout.hierarchies.end());
  std::stable_partition(layout.hierarchies.begin(), layout.hierarchies.end(),
                        [](const Hierarchy& h) { return !h.is_v2; });
  return layout;
}

Result<Layout> discover_layout() {
  HAKO_TRY_ASSIGN(std::string mountinfo, sys::read_file("/proc/self/mountinfo"));
  HAKO_TRY_ASSIGN(std::string cgroups, sys::read_file("/proc/self/cgroup"));
  auto layout = parse_layout(mountinfo, cgroups);
  if (!layout) return std::move(layout).error().context("discover cgroup layout");
  return layout;
}

}  // namespace hako::cgroup
