#include "cgroup/device_rules.h"

#include <algorithm>

namespace hako::cgroup {
namespace {

std::string access_string(uint8_t access) {
  std::string s;
  if (access & kDevRead) s += 'r';
  if (access & kDevWrite) s += 'w';
  if (access & kDevMknod) s += 'm';
  return s;
}

std::string number_or_star(int64_t n) { return n == kDevWildcard ? "*" : std::to_string(n); }

bool same_device(const DeviceRule& a, const DeviceRule& b) {
  return a.type == b.type && a.major == b.major && a.minor == b.minor;
}

bool matches_device(const DeviceRule& ex, char type, int64_t major, int64_t minor) {
  return ex.type == type && (ex.major == kDevWildcard || ex.major == major) &&
         (ex.minor == kDevWildcard || ex.minor == minor);
}

}  // namespace

std::string DeviceRule::to_v1() const {
  if (is_reset()) return "a";
  return std::string(1, type) + " " + number_or_star(major) + ":" + number_or_star(minor) + " " +
         access_string(access);
}

Result<std::vector<DeviceRule>> normalize_device_rules(
    const std::vector<oci::DeviceCgroupRule>& rules) {
  std::vector<DeviceRule> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    std::string field = "linux.resources.devices[" + std::to_string(i) + "]";
    DeviceRule d;
    d.allow = r.allow;
    std::string type = r.type.empty() ? "a" : r.type;
    if (type != "a" && type != "b" && type != "c")
      return invalid_argument(field + ".type: \"" + r.type + "\" is not one of a, b, c");
    d.major = r.major.value_or(kDevWildcard);
    d.minor = r.minor.value_or(kDevWildcard);
    if (d.major < kDevWildcard || d.minor < kDevWildcard)
      return invalid_argument(field + ": negative major or minor");
    // runc rejects an empty access too: the kernel would read "c 1:3 " as a malformed rule.
    if (r.access.empty()) return invalid_argument(field + ".access: must not be empty");
    d.access = 0;
    for (char c : r.access) {
      switch (c) {
        case 'r':
          d.access |= kDevRead;
          break;
        case 'w':
          d.access |= kDevWrite;
          break;
        case 'm':
          d.access |= kDevMknod;
          break;
        default:
          return invalid_argument(field + ".access: \"" + r.access + "\" may only contain r, w, m");
      }
    }
    if (type == "a" && d.major == kDevWildcard && d.minor == kDevWildcard && d.access == kDevAll) {
      d.type = 'a';
      out.push_back(d);
    } else if (type == "a") {
      d.type = 'c';
      out.push_back(d);
      d.type = 'b';
      out.push_back(d);
    } else {
      d.type = type[0];
      out.push_back(d);
    }
  }
  return out;
}

DevicePolicy fold_device_rules(const std::vector<DeviceRule>& rules) {
  DevicePolicy p;
  for (const auto& r : rules) {
    if (r.is_reset()) {
      p.default_allow = r.allow;
      p.exceptions.clear();
      continue;
    }
    auto it = std::find_if(p.exceptions.begin(), p.exceptions.end(),
                           [&](const DeviceRule& e) { return same_device(e, r); });
    if (r.allow == p.default_allow) {
      // Agrees with the default: takes access bits away from an exception for the same device
      // (dev_exception_rm), never from a wider one, exactly as the v1 kernel does.
      if (it != p.exceptions.end()) {
        it->access &= static_cast<uint8_t>(~r.access);
        if (it->access == 0) p.exceptions.erase(it);
      }
    } else if (it != p.exceptions.end()) {
      it->access |= r.access;  // dev_exception_add merges into the same device's entry
    } else {
      DeviceRule e = r;
      e.allow = !p.default_allow;
      p.exceptions.push_back(e);
    }
  }
  return p;
}

bool DevicePolicy::allows(char type, int64_t major, int64_t minor, uint8_t access) const {
  for (const auto& e : exceptions) {
    if (!matches_device(e, type, major, minor)) continue;
    if (default_allow) {
      if (access & e.access) return false;  // any denied bit requested: match_exception_partial
    } else if ((access & ~e.access) == 0) {
      return true;  // all requested bits granted by one entry: match_exception
    }
  }
  return default_allow;
}

std::vector<oci::DeviceCgroupRule> with_default_device_rules(const oci::Linux& linux) {
  struct Default {
    const char* path;  // nullptr: not a device node, always added
    char type;
    int64_t major, minor;
    const char* access;
  };
  static constexpr Default kDefaults[] = {
      {nullptr, 'c', kDevWildcard, kDevWildcard, "m"},
      {nullptr, 'b', kDevWildcard, kDevWildcard, "m"},
      {"/dev/null", 'c', 1, 3, "rwm"},
      {"/dev/random", 'c', 1, 8, "rwm"},
      {"/dev/full", 'c', 1, 7, "rwm"},
      {"/dev/tty", 'c', 5, 0, "rwm"},
      {"/dev/zero", 'c', 1, 5, "rwm"},
      {"/dev/urandom", 'c', 1, 9, "rwm"},
      {nullptr, 'c', 136, kDevWildcard, "rwm"},  // /dev/pts/*
      {nullptr, 'c', 5, 2, "rwm"},               // /dev/ptmx
  };
  std::vector<oci::DeviceCgroupRule> out;
  if (linux.resources) out = linux.resources->devices;
  for (const auto& d : kDefaults) {
    if (d.path && std::any_of(linux.devices.begin(), linux.devices.end(),
                              [&](const oci::Device& s) { return s.path == d.path; }))
      continue;
    oci::DeviceCgroupRule r;
    r.allow = true;
    r.type = std::string(1, d.type);
    if (d.major != kDevWildcard) r.major = d.major;
    if (d.minor != kDevWildcard) r.minor = d.minor;
    r.access = d.access;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace hako::cgroup
