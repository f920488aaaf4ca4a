// Capabilities (moby's oci/caps TweakCapabilities), --security-opt (daemon_unix.go
// parseSecurityOpt) and the seccomp profile (moby's profiles/seccomp, resolved here).
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>

#include "engine/docker_defaults.h"
#include "engine/seccomp_json.h"
#include "engine/spec_parts.h"
#include "seccomp/profile.h"
#include "sys/capabilities.h"

namespace hako::engine::spec {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "net_admin" → "CAP_NET_ADMIN"; "all" → "ALL". Unknown names are Docker's error.
Result<std::vector<std::string>> normalize_caps(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (std::string n : names) {
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
    if (n == "ALL") {
      out.push_back(n);
      continue;
    }
    if (n.rfind("CAP_", 0) != 0) n = "CAP_" + n;
    if (!sys::capability_number(n)) return invalid_argument("unknown capability: \"" + n + "\"");
    out.push_back(n);
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> container_capabilities(const json& hc, bool privileged) {
  // Everything the caller itself holds: Docker asks for every capability the kernel knows and
  // fails where the engine lacks some (here: CAP_SYS_RESOURCE); podman does it this way too.
  std::vector<std::string> all;
  for (const auto& c : all_capabilities()) {
    auto n = sys::capability_number(c);
    if (n && ::prctl(PR_CAPBSET_READ, *n, 0, 0, 0) == 1) all.push_back(c);
  }
  if (privileged) return all;
  HAKO_TRY_ASSIGN(auto add_raw, get_strings(hc, "HostConfig", "CapAdd"));
  HAKO_TRY_ASSIGN(auto drop_raw, get_strings(hc, "HostConfig", "CapDrop"));
  if (add_raw.empty() && drop_raw.empty()) return default_capabilities();
  auto add = normalize_caps(add_raw);
  if (!add) return std::move(add).error().context("HostConfig.CapAdd");
  auto drop = normalize_caps(drop_raw);
  if (!drop) return std::move(drop).error().context("HostConfig.CapDrop");
  std::vector<std::string> caps;
  if (contains(*add, "ALL")) {
    for (const auto& c : all)
      if (!contains(*drop, c)) caps.push_back(c);
  } else if (contains(*drop, "ALL")) {
    caps = *add;
  } else {
    for (const auto& c : default_capabilities())
      if (!contains(*drop, c)) caps.push_back(c);
    for (const auto& c : *add)
      if (!contains(caps, c)) caps.push_back(c);
  }
  return caps;
}

Result<SecurityOptions> parse_security_opts(const std::vector<std::string>& opts) {
  SecurityOptions out;
  for (size_t i = 0; i < opts.size(); ++i) {
    const std::string& opt = opts[i];
    std::string where = "HostConfig.SecurityOpt[" + std::to_string(i) + "]: ";
    if (opt == "no-new-privileges") {
      out.no_new_privileges = true;
      continue;
    }
    size_t sep = opt.find('=');
    if (sep == std::string::npos) sep = opt.find(':');
    if (sep == std::string::npos)
      return invalid_argument(where + "invalid --security-opt 1: \"" + opt + "\"");
    std::string key = opt.substr(0, sep), value = opt.substr(sep + 1);
    if (key == "label") {
      // Without SELinux on the host dockerd accepts and ignores labels; so do we.
      static const char* const kLabelKeys[] = {"user", "role", "type", "level", "filetype"};
      std::string k = value.substr(0, value.find(':'));
      bool known = value == "disable" || (value.find(':') != std::string::npos &&
                                          std::any_of(std::begin(kLabelKeys), std::end(kLabelKeys),
                                                      [&](const char* l) { return k == l; }));
      if (!known)
        return invalid_argument(where + "bad label option \"" + value +
                                "\", valid options 'disable' or 'user, role, level, type, "
                                "filetype' followed by ':' and a value");
    } else if (key == "apparmor") {
      out.apparmor_profile = value;
    } else if (key == "seccomp") {
      out.seccomp = value;
    } else if (key == "no-new-privileges") {
      if (value != "true" && value != "false")
        return invalid_argument(where + "invalid --security-opt 2: \"" + opt + "\"");
      out.no_new_privileges = value == "true";
    } else if (key == "systempaths") {
      if (value != "unconfined")
        return invalid_argument(where + "invalid --security-opt 2: \"" + opt + "\"");
      out.systempaths_unconfined = true;
    } else {
      return invalid_argument(where + "invalid --security-opt 2: \"" + opt + "\"");
    }
  }
  return out;
}

Result<json> seccomp_spec(const SecurityOptions& sec, bool privileged,
                          const std::vector<std::string>& capabilities) {
  if (privileged || (sec.seccomp && *sec.seccomp == "unconfined")) return json();
  std::string_view text =
      sec.seccomp ? std::string_view(*sec.seccomp) : docker_default_seccomp_profile();
  HAKO_TRY_ASSIGN(seccomp::ProfileContext ctx, seccomp::host_profile_context(capabilities));
  auto profile = seccomp::parse_profile(text, ctx);
  if (!profile)
    return std::move(profile).error().context(sec.seccomp ? "HostConfig.SecurityOpt: seccomp"
                                                          : "docker-default seccomp profile");
  return seccomp_to_json(*profile);
}

}  // namespace hako::engine::spec
