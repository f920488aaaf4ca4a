// Device cgroup rules: validation, the cgroup v1 text form, and the policy they add up to.
//
// The spec's linux.resources.devices is an ordered list of allow/deny rules applied on top of
// "deny everything", with cgroup v1 semantics: a later rule overrides an earlier one, and rules for
// the same device merge or subtract access bits (kernel security/device_cgroup.c). On v1 the kernel
// folds the rules itself (we write them in order); on v2 fold_device_rules() computes the same
// policy for the eBPF program. A type "a" rule that is not "a *:* rwm" would reset the whole v1
// list (the kernel only looks at the first character), so normalisation splits it into a "c" and
// a "b" rule, which is what the spec means. Values and pure functions; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"

namespace hako::cgroup {

// Access bits, valued as in the BPF device context (BPF_DEVCG_ACC_*).
inline constexpr uint8_t kDevMknod = 1, kDevRead = 2, kDevWrite = 4, kDevAll = 7;
inline constexpr int64_t kDevWildcard = -1;

struct DeviceRule {
  bool allow = false;
  char type = 'a';  // 'a' only for the reset rule "a *:* rwm"; else 'c' or 'b'
  int64_t major = kDevWildcard;
  int64_t minor = kDevWildcard;
  uint8_t access = kDevAll;

  bool is_reset() const { return type == 'a'; }
  // What devices.allow/devices.deny take: "a", "c 1:3 rwm", "b *:* m".
  std::string to_v1() const;
  bool operator==(const DeviceRule&) const = default;
};

// Validates (type a/b/c, access non-empty and made of r, w, m) and normalises the spec's rules.
Result<std::vector<DeviceRule>> normalize_device_rules(
    const std::vector<oci::DeviceCgroupRule>& rules);

// The effect of a rule list applied, in order, to "deny everything".
struct DevicePolicy {
  bool default_allow = false;
  // Allowances when !default_allow, denials when default_allow (never reset rules).
  std::vector<DeviceRule> exceptions;

  // Would an access of `access` bits to device `type` ('c'/'b') major:minor be permitted?
  bool allows(char type, int64_t major, int64_t minor, uint8_t access) const;
};
DevicePolicy fold_device_rules(const std::vector<DeviceRule>& rules);

// The spec's rules followed by the rules every container gets (runc's AllowedDevices: mknod of
// any device, /dev/null, zero, full, random, urandom, tty, ptmx 5:2 and the pts 136:*). A default
// whose path the spec lists in linux.devices is left to the spec, as runc. The runtime passes the
// result as Resources::devices; Manager applies exactly what it is given.
std::vector<oci::DeviceCgroupRule> with_default_device_rules(const oci::Linux& linux);

}  // namespace hako::cgroup
