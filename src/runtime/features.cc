#include "runtime/features.h"

#include "json/reader.h"
#include "oci/spec.h"
#include "runtime/mount_plan.h"
#include "runtime/process_setup.h"
#include "seccomp/features.h"
#include "sys/capabilities.h"

namespace hako::runtime {

// Every value comes from the code that implements it (mount option table, capability table,
// seccomp vocabulary) or from a probe of this host (LSMs, seccomp flags), so the document cannot
// claim what the build does not do. What hako lacks is reported as false: systemd cgroups,
// Intel RDT. checkpoint/restore is built in (through the criu binary, as in runc, whose
// annotation says the same: whether CRIU works on this kernel is `criu check`'s).
std::string features_json() {
  using json::Value;
  seccomp::Vocabulary sc = seccomp::vocabulary();
  Value caps = Value::array();
  for (int i = 0; sys::capability_name(i) != nullptr; ++i) caps.push_back(sys::capability_name(i));
  Value f = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", oci::kSpecVersion},
      {"hooks",
       {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions", known_mount_options()},
      {"linux",
       {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}},
        {"capabilities", caps},
        {"cgroup",
         {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}}},
        {"seccomp",
         {{"enabled", true},
          {"actions", sc.actions},
          {"operators", sc.operators},
          {"archs", sc.archs},
          {"knownFlags", sc.known_flags},
          {"supportedFlags", sc.supported_flags}}},
        {"apparmor", {{"enabled", host_has_apparmor()}}},
        {"selinux", {{"enabled", host_has_selinux()}}},
        {"intelRdt", {{"enabled", false}}},
        {"mountExtensions", {{"idmap", {{"enabled", true}}}}}}},
      {"annotations",
       {{"io.github.seccomp.libseccomp.version", sc.libseccomp_version},
        {"org.opencontainers.runc.checkpoint.enabled", "true"}}}};
  return f.dump(4) + "\n";
}

}  // namespace hako::runtime
