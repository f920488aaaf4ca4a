#include "engine/volume_mount.h"

#include <sys/mount.h>

#include <set>

#include "base/strings.h"
#include "runtime/mount_plan.h"
#include "sys/file.h"
#include "sys/mount.h"

namespace hako::engine {
namespace {

std::string option(const nlohmann::json& opts, const char* key) {
  auto it = opts.find(key);
  return it != opts.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool in_proc_filesystems(const std::string& type) {
  auto text = sys::read_file("/proc/filesystems", 1 << 20);
  if (!text) return false;
  for (const auto& line : split(*text, '\n')) {
    // "nodev\ttmpfs" or "\text4"
    size_t tab = line.rfind('\t');
    if (tab != std::string::npos && line.substr(tab + 1) == type) return true;
  }
  return false;
}

// tmpfs(5)'s mount options.
const std::set<std::string> kTmpfsData = {"size", "nr_blocks", "nr_inodes", "mode",    "uid",
                                          "gid",  "huge",      "mpol",      "inode32", "inode64"};

}  // namespace

Result<std::optional<VolumeMount>> parse_volume_mount(
    const nlohmann::json& options, const std::function<bool(const std::string&)>& known) {
  if (!options.is_object()) return std::optional<VolumeMount>();
  VolumeMount m;
  m.type = option(options, "type");
  m.device = option(options, "device");
  std::string o = option(options, "o");
  if (m.type.empty()) return std::optional<VolumeMount>();
  std::vector<std::string> words;
  for (const auto& w : split(o, ','))
    if (!w.empty()) words.push_back(w);
  runtime::ParsedOptions p = runtime::parse_mount_options(words);
  if (p.propagation || p.idmap || (p.flags & MS_REMOUNT))
    return invalid_argument("invalid volume option o=" + o +
                            ": propagation, idmap and remount are not volume options");
  m.flags = p.flags;
  m.data = p.data;
  m.bind = p.bind;
  m.recursive = p.recursive;
  if (m.type == "tmpfs") {
    if (m.bind) return invalid_argument("invalid volume option o=" + o + ": a tmpfs is no bind");
    for (const auto& item : split(m.data, ',')) {
      if (item.empty()) continue;
      std::string key = item.substr(0, item.find('='));
      if (!kTmpfsData.count(key))
        return invalid_argument("invalid tmpfs volume option \"" + item +
                                "\" in o: tmpfs takes size, nr_blocks, nr_inodes, mode, uid, "
                                "gid, huge, mpol and mount flags (ro, noexec, ...)");
    }
    if (m.device.empty()) m.device = "tmpfs";
    return std::optional<VolumeMount>(m);
  }
  if (m.type == "none" || m.type == "bind") {
    if (!m.bind)
      return invalid_argument("invalid volume option type=" + m.type +
                              ": it needs o=bind (or o=rbind) and device=/host/dir");
    if (!m.data.empty())
      return invalid_argument("invalid bind volume option \"" + m.data +
                              "\" in o: a bind takes bind, rbind and mount flags (ro, ...)");
    if (m.device.empty() || m.device[0] != '/')
      return invalid_argument("invalid volume option device=" + m.device +
                              ": a bind volume needs an absolute host path");
    return std::optional<VolumeMount>(m);
  }
  if (m.bind) return invalid_argument("invalid volume option o=" + o + ": o=bind needs type=none");
  bool has = known ? known(m.type) : in_proc_filesystems(m.type);
  if (!has)
    return invalid_argument("invalid volume option type=" + m.type +
                            ": use tmpfs, none (with o=bind) or a filesystem this kernel has "
                            "(/proc/filesystems)");
  if (m.device.empty())
    return invalid_argument("invalid volume option: type=" + m.type + " needs a device");
  return std::optional<VolumeMount>(m);
}

Status mount_volume(const VolumeMount& m, const std::string& target) {
  if (!m.bind) return sys::mount_fs(m.device, target, m.type, m.flags, m.data);
  if (!sys::exists(m.device))
    return not_found("bind volume device " + m.device +
                     ": no such file or directory (create it, or recreate the volume)");
  unsigned long bind = MS_BIND | (m.recursive ? MS_REC : 0);
  HAKO_TRY(sys::mount_fs(m.device, target, "", bind, ""));
  // A bind takes its flags (ro, nosuid, ...) only by a remount.
  if (m.flags) {
    Status s = sys::mount_fs("", target, "", MS_REMOUNT | MS_BIND | m.flags, "");
    if (!s) {
      ::umount2(target.c_str(), MNT_DETACH);
      return s;
    }
  }
  return ok();
}

Result<shim::VolumeUse> use_volume(const std::string& name, const std::string& volume_dir,
                                   const VolumeMount& m) {
  HAKO_TRY_ASSIGN(shim::VolumeUse use, shim::VolumeUse::hold(volume_dir));
  HAKO_TRY_CTX(use.ensure_mounted([&](const std::string& data) { return mount_volume(m, data); }),
               "mount volume " + name);
  return use;
}

}  // namespace hako::engine
