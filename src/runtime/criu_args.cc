#include "runtime/criu_args.h"

#include <optional>

#include "base/strings.h"

namespace hako::runtime {

namespace {

void add_flags(std::vector<std::string>& a, const CriuFlags& f) {
  if (f.tcp_established) a.push_back("--tcp-established");
  if (f.file_locks) a.push_back("--file-locks");
  if (f.ext_unix_sk) a.push_back("--ext-unix-sk");
  if (f.shell_job) a.push_back("--shell-job");
  // runc always asks criu to manage cgroups; the mode only refines how.
  a.push_back(f.manage_cgroups_mode.empty() ? "--manage-cgroups"
                                            : "--manage-cgroups=" + f.manage_cgroups_mode);
}

void add_common(std::vector<std::string>& a, const std::string& images, const std::string& work,
                const char* log, const std::string& root) {
  a.insert(a.end(),
           {"--images-dir", images, "--work-dir", work, "--log-file", log, "-v4", "--root", root});
}

void add_ext_mounts(std::vector<std::string>& a, const std::vector<CriuExtMount>& mounts) {
  for (const auto& m : mounts) a.insert(a.end(), {"--ext-mount-map", m.key + ":" + m.value});
}

bool is_bind(const MountStep& m) { return m.bind || m.type == "bind"; }

}  // namespace

std::vector<std::string> criu_dump_args(const CriuDumpRequest& r) {
  std::vector<std::string> a{r.pre_dump ? "pre-dump" : "dump", "--tree", std::to_string(r.pid)};
  add_common(a, r.images_dir, r.work_dir, kCriuDumpLog, r.root);
  add_flags(a, r.flags);
  // A pre-dump leaves the tasks running by definition and tracks memory for the next dump.
  if (r.pre_dump) a.push_back("--track-mem");
  if (r.leave_running && !r.pre_dump) a.push_back("--leave-running");
  if (!r.freeze_cgroup.empty()) a.insert(a.end(), {"--freeze-cgroup", r.freeze_cgroup});
  // External mounts describe the mount tree: a pre-dump only copies memory.
  if (!r.pre_dump) add_ext_mounts(a, r.ext_mounts);
  for (const auto& e : r.externals) a.insert(a.end(), {"--external", e});
  return a;
}

std::vector<std::string> criu_restore_args(const CriuRestoreRequest& r) {
  std::vector<std::string> a{"restore"};
  add_common(a, r.images_dir, r.work_dir, kCriuRestoreLog, r.root);
  add_flags(a, r.flags);
  // Detached, and the restored init a sibling of criu: hako-runtime is its parent.
  a.insert(a.end(), {"--restore-detached", "--restore-sibling", "--pidfile", r.pid_file,
                     "--evasive-devices"});
  add_ext_mounts(a, r.ext_mounts);
  for (const auto& [fd, key] : r.inherit_fds)
    a.insert(a.end(), {"--inherit-fd", "fd[" + std::to_string(fd) + "]:" + key});
  for (const auto& [ns, path] : r.join_ns) a.insert(a.end(), {"--join-ns", ns + ":" + path});
  for (const auto& root : r.cgroup_roots) a.insert(a.end(), {"--cgroup-root", root});
  return a;
}

Status validate_manage_cgroups_mode(const std::string& mode) {
  if (mode.empty() || mode == "soft" || mode == "full" || mode == "strict" || mode == "ignore")
    return ok();
  return invalid_argument("--manage-cgroups-mode \"" + mode +
                          "\": use soft, full, strict or ignore");
}

std::vector<CriuExtMount> criu_external_mounts(const oci::Spec& spec,
                                               const std::vector<MountStep>& mounts,
                                               const std::vector<CgroupMount>& cgroup_mounts,
                                               const std::vector<std::string>& masked_files,
                                               bool in_user_ns, bool for_restore) {
  std::vector<CriuExtMount> out;
  auto add = [&](const std::string& dest, const std::string& source) {
    out.push_back({dest, for_restore ? source : dest});
  };
  bool has_cgroupns = false;
  if (spec.linux) {
    for (const auto& ns : spec.linux->namespaces) has_cgroupns |= ns.type == "cgroup";
  }
  for (const auto& m : mounts) {
    if (is_bind(m)) {
      add(m.destination, m.source);
    } else if (m.type == "cgroup" && !has_cgroupns) {
      // Without a cgroup namespace each hierarchy is a bind of the host's cgroup dir.
      for (const auto& cg : cgroup_mounts) add(m.destination + "/" + cg.name, cg.host_path);
    }
  }
  // A masked file is /dev/null bound over it: recorded under the name "/dev/null".
  for (const auto& path : masked_files) {
    if (for_restore) {
      out.push_back({"/dev/null", "/dev/null"});
      break;
    }
    out.push_back({path, "/dev/null"});
  }
  // Device nodes are mknod'ed, except in a user namespace, where they are binds of the host's.
  if (in_user_ns && spec.linux) {
    for (const auto& d : spec.linux->devices) add(d.path, d.path);
    for (const char* dev :
         {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"})
      add(dev, dev);
  }
  return out;
}

namespace {

// The message of an "Error (file:line): message" log line, or nullopt for other lines.
std::optional<std::string> error_message(const std::string& line) {
  auto at = line.find("Error (");
  if (at == std::string::npos) return std::nullopt;
  auto colon = line.find("): ", at);
  if (colon == std::string::npos) return std::string(trim(line.substr(at)));
  return std::string(trim(line.substr(colon + 3)));
}

// criu's closing words, which say that it failed but not why.
bool is_summary(const std::string& message) {
  return message.ends_with("FAILED.") ||
         message.find("Could not initialize kernel features detection") != std::string::npos;
}

}  // namespace

std::string criu_log_error(const std::string& log_text) {
  // criu logs some failed probes as errors and goes on; the fatal one starts the last run of
  // consecutive error lines that says more than criu's closing "... FAILED." words.
  std::vector<std::vector<std::string>> runs;
  bool in_run = false;
  for (const auto& line : split(log_text, '\n')) {
    auto message = error_message(line);
    if (!message) {
      in_run = false;
      continue;
    }
    if (!in_run) runs.emplace_back();
    runs.back().push_back(*message);
    in_run = true;
  }
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    for (const auto& message : *run) {
      if (!is_summary(message)) return run->front();
    }
  }
  return runs.empty() ? std::string() : runs.front().front();
}

std::vector<std::string> criu_cgroup_roots(const std::string& proc_cgroup) {
  std::vector<std::string> out;
  for (const auto& line : split(proc_cgroup, '\n')) {
    auto first = line.find(':');
    if (first == std::string::npos) continue;
    auto second = line.find(':', first + 1);
    if (second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    out.push_back(controllers.empty() ? path : controllers + ":" + path);
  }
  return out;
}

}  // namespace hako::runtime
