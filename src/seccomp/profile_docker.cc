// Docker's profile format, as moby/profiles/seccomp defines and applies it:
//   - `archMap` lists, per main architecture, the sub-architectures its kernel also runs
//     (x86_64: x86 and x32); only the host's entry is kept, expanded into `architectures`.
//   - a syscall entry is kept when all its `includes` hold and none of its `excludes` does:
//     `caps` (includes: every one in the bounding set; excludes: any one), `arches` (Docker's
//     names for the host, "amd64"), `minKernel` ("<major>.<minor>", host at least that).
//   - `name` is accepted for a single syscall; `comment` is ignored.
// Entries are validated as written, before filtering, so a typo in a rule that does not apply to
// this container is still reported, with the index the user sees in the file.
#include <algorithm>
#include <string>

#include "seccomp/names.h"
#include "seccomp/profile_docker.h"

namespace hako::seccomp {
namespace {

using json::read_field;
using json::read_required;
using json::Value;

struct Condition {
  std::vector<std::string> caps;
  std::vector<std::string> arches;
  std::optional<KernelVersion> min_kernel;
};

struct ArchMapEntry {
  std::string architecture;
  std::vector<std::string> sub_architectures;
};

std::string indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Calls fn(element, path) for each element of obj[key], an optional array.
template <typename Fn>
Status for_each_element(const Value& obj, std::string_view path, const char* key, Fn&& fn) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return ok();
  std::string array_path = json::child_path(path, key);
  if (!it->is_array()) return json::type_error(array_path, "array");
  for (size_t i = 0; i < it->size(); ++i) HAKO_TRY(fn((*it)[i], indexed(array_path, i)));
  return ok();
}

Status read_condition(const Value& obj, std::string_view path, const char* key, Condition& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return ok();
  std::string p = json::child_path(path, key);
  HAKO_TRY(json::require_object(*it, p));
  HAKO_TRY(read_field(*it, p, "caps", out.caps));
  HAKO_TRY(read_field(*it, p, "arches", out.arches));
  std::string min_kernel;
  HAKO_TRY(read_field(*it, p, "minKernel", min_kernel));
  if (!min_kernel.empty()) {
    auto v = parse_kernel_version(min_kernel);
    if (!v) return std::move(v).error().context(json::child_path(p, "minKernel"));
    out.min_kernel = *v;
  }
  return ok();
}

Status read_arg(const Value& v, const std::string& path, oci::SeccompArg& out) {
  HAKO_TRY(json::require_object(v, path));
  HAKO_TRY(read_required(v, path, "index", out.index));
  HAKO_TRY(read_required(v, path, "value", out.value));
  HAKO_TRY(read_field(v, path, "valueTwo", out.value_two));
  HAKO_TRY(read_required(v, path, "op", out.op));
  return ok();
}

Status read_syscall(const Value& v, const std::string& path, oci::SeccompSyscall& out,
                    Condition& includes, Condition& excludes) {
  HAKO_TRY(json::require_object(v, path));
  std::string name;
  HAKO_TRY(read_field(v, path, "name", name));
  HAKO_TRY(read_field(v, path, "names", out.names));
  if (!name.empty()) {
    if (!out.names.empty())
      return invalid_argument(path + ": both name and names are set, use one of them");
    out.names.push_back(std::move(name));
  }
  HAKO_TRY(read_required(v, path, "action", out.action));
  HAKO_TRY(read_field(v, path, "errnoRet", out.errno_ret));
  HAKO_TRY(for_each_element(v, path, "args", [&](const Value& a, const std::string& p) {
    return read_arg(a, p, out.args.emplace_back());
  }));
  HAKO_TRY(read_condition(v, path, "includes", includes));
  HAKO_TRY(read_condition(v, path, "excludes", excludes));
  return ok();
}

Status read_arch_map(const Value& doc, std::vector<ArchMapEntry>& out) {
  return for_each_element(doc, "", "archMap", [&](const Value& v, const std::string& p) -> Status {
    HAKO_TRY(json::require_object(v, p));
    ArchMapEntry& e = out.emplace_back();
    HAKO_TRY(read_required(v, p, "architecture", e.architecture));
    HAKO_TRY(read_field(v, p, "subArchitectures", e.sub_architectures));
    if (!find_arch(e.architecture))
      return invalid_argument(p + ".architecture: unknown architecture \"" + e.architecture + "\"");
    for (size_t j = 0; j < e.sub_architectures.size(); ++j)
      if (!find_arch(e.sub_architectures[j]))
        return invalid_argument(indexed(p + ".subArchitectures", j) + ": unknown architecture \"" +
                                e.sub_architectures[j] + "\"");
    return ok();
  });
}

struct Host {
  const ProfileContext& ctx;
  std::optional<ArchNames> arch;

  bool has_all_caps(const std::vector<std::string>& caps) const {
    return std::all_of(caps.begin(), caps.end(),
                       [&](const std::string& c) { return contains(ctx.capabilities, c); });
  }
  bool has_any_cap(const std::vector<std::string>& caps) const {
    return std::any_of(caps.begin(), caps.end(),
                       [&](const std::string& c) { return contains(ctx.capabilities, c); });
  }
  bool is_arch_in(const std::vector<std::string>& arches) const {
    return arch && contains(arches, arch->docker);
  }
  bool kernel_at_least(KernelVersion v) const { return ctx.kernel >= v; }

  // moby's rule: excluded if any exclude matches; else included if every include matches.
  bool applies(const Condition& includes, const Condition& excludes) const {
    if (!excludes.arches.empty() && is_arch_in(excludes.arches)) return false;
    if (has_any_cap(excludes.caps)) return false;
    if (excludes.min_kernel && kernel_at_least(*excludes.min_kernel)) return false;
    if (!includes.arches.empty() && !is_arch_in(includes.arches)) return false;
    if (!has_all_caps(includes.caps)) return false;
    if (includes.min_kernel && !kernel_at_least(*includes.min_kernel)) return false;
    return true;
  }
};

}  // namespace

Result<oci::Seccomp> read_docker_profile(const Value& doc, const ProfileContext& ctx) {
  oci::Seccomp out;
  HAKO_TRY(read_required(doc, "", "defaultAction", out.default_action));
  HAKO_TRY(read_field(doc, "", "defaultErrnoRet", out.default_errno_ret));
  HAKO_TRY(read_field(doc, "", "architectures", out.architectures));
  HAKO_TRY(read_field(doc, "", "flags", out.flags));
  HAKO_TRY(read_field(doc, "", "listenerPath", out.listener_path));
  HAKO_TRY(read_field(doc, "", "listenerMetadata", out.listener_metadata));
  std::vector<ArchMapEntry> arch_map;
  HAKO_TRY(read_arch_map(doc, arch_map));
  if (!arch_map.empty() && !out.architectures.empty())
    return invalid_argument("archMap: cannot be used together with architectures, use one of them");

  std::vector<Condition> includes, excludes;
  HAKO_TRY(
      for_each_element(doc, "", "syscalls", [&](const Value& v, const std::string& p) -> Status {
        return read_syscall(v, p, out.syscalls.emplace_back(), includes.emplace_back(),
                            excludes.emplace_back());
      }));
  HAKO_TRY(validate_profile(out));

  Host host{ctx, find_host_arch(ctx.arch)};
  bool needs_arch = !arch_map.empty() ||
                    std::any_of(includes.begin(), includes.end(),
                                [](const Condition& c) { return !c.arches.empty(); }) ||
                    std::any_of(excludes.begin(), excludes.end(),
                                [](const Condition& c) { return !c.arches.empty(); });
  if (needs_arch && !host.arch)
    return failed_precondition("seccomp profile: host architecture \"" + ctx.arch +
                               "\" is not known to libseccomp");

  // Docker keeps only the host's archMap entry: its own arch first, then what it also runs.
  for (ArchMapEntry& e : arch_map) {
    if (e.architecture != host.arch->scmp) continue;
    out.architectures.push_back(std::move(e.architecture));
    for (std::string& sub : e.sub_architectures) out.architectures.push_back(std::move(sub));
    break;
  }

  size_t kept = 0;
  for (size_t i = 0; i < out.syscalls.size(); ++i) {
    if (!host.applies(includes[i], excludes[i])) continue;
    if (kept != i) out.syscalls[kept] = std::move(out.syscalls[i]);
    ++kept;
  }
  out.syscalls.resize(kept);
  return out;
}

}  // namespace hako::seccomp
