#include "runtime/mount_plan.h"

#include <sys/mount.h>

#include <algorithm>
#include <cstring>

namespace hako::runtime {

namespace {

struct FlagOption {
  const char* name;
  bool clear;
  unsigned long flag;
};

// The options mount(8) understands as flags; everything else is filesystem data.
constexpr FlagOption kFlagOptions[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"loud", true, MS_SILENT},
};

constexpr FlagOption kPropagationOptions[] = {
    {"private", false, MS_PRIVATE},       {"rprivate", false, MS_PRIVATE | MS_REC},
    {"shared", false, MS_SHARED},         {"rshared", false, MS_SHARED | MS_REC},
    {"slave", false, MS_SLAVE},           {"rslave", false, MS_SLAVE | MS_REC},
    {"unbindable", false, MS_UNBINDABLE}, {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

}  // namespace

ParsedOptions parse_mount_options(const std::vector<std::string>& options) {
  ParsedOptions out;
  for (const auto& opt : options) {
    if (opt == "bind") {
      out.bind = true;
      continue;
    }
    if (opt == "rbind") {
      out.bind = out.recursive = true;
      continue;
    }
    if (opt == "idmap" || opt == "ridmap") {
      out.idmap = true;
      continue;
    }
    bool matched = false;
    for (const auto& f : kFlagOptions) {
      if (opt == f.name) {
        if (f.clear) {
          out.flags &= ~f.flag;
          out.clear_flags |= f.flag;
        } else {
          out.flags |= f.flag;
        }
        matched = true;
        break;
      }
    }
    for (const auto& p : kPropagationOptions) {
      if (!matched && opt == p.name) {
        out.propagation |= p.flag;
        matched = true;
      }
    }
    // runc's extension: copy the image's content into a new tmpfs. Not yet supported; ignore
    // rather than hand the kernel an option it rejects.
    if (!matched && opt == "tmpcopyup") matched = true;
    if (!matched) {
      if (!out.data.empty()) out.data += ',';
      out.data += opt;
    }
  }
  return out;
}

std::vector<std::string> known_mount_options() {
  std::vector<std::string> out = {"bind", "rbind", "idmap", "ridmap"};
  for (const auto& f : kFlagOptions) out.emplace_back(f.name);
  for (const auto& p : kPropagationOptions) out.emplace_back(p.name);
  std::sort(out.begin(), out.end());
  return out;
}

unsigned long rootfs_propagation_flags(const std::string& propagation) {
  for (const auto& p : kPropagationOptions) {
    if (propagation == p.name) return p.flag;
  }
  return MS_SLAVE | MS_REC;
}

Result<std::vector<MountStep>> plan_mounts(const oci::Spec& spec, const std::string& bundle) {
  std::vector<MountStep> steps;
  steps.reserve(spec.mounts.size());
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const oci::Mount& m = spec.mounts[i];
    ParsedOptions opts = parse_mount_options(m.options);
    MountStep step;
    step.source = m.source;
    step.destination = m.destination;
    step.type = m.type;
    step.propagation = opts.propagation;
    step.data = opts.data;
    step.bind = opts.bind || m.type == "bind";
    step.recursive = opts.recursive;
    step.cgroup = m.type == "cgroup" || m.type == "cgroup2";
    step.idmap = opts.idmap || !m.uid_mappings.empty();
    if (step.destination.find("/../") != std::string::npos ||
        (step.destination.size() >= 3 &&
         step.destination.compare(step.destination.size() - 3, 3, "/..") == 0))
      return invalid_argument("mounts[" + std::to_string(i) +
                              "].destination: must not contain \"..\"");
    if (step.bind) {
      if (step.source.empty())
        return invalid_argument("mounts[" + std::to_string(i) +
                                "].source: required for a bind mount");
      if (step.source[0] != '/' && !bundle.empty()) step.source = bundle + "/" + step.source;
      step.flags = MS_BIND | (opts.recursive ? MS_REC : 0);
      // A bind mount ignores every flag but MS_REC on creation; the rest takes a remount.
      unsigned long rest = opts.flags & ~(MS_REMOUNT);
      if (rest != 0) {
        step.remount = true;
        step.remount_flags = rest;
      }
    } else {
      step.flags = opts.flags;
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace hako::runtime
