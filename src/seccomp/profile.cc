// parse_profile: tells the two formats apart and validates the result; OCI-form fields are read
// by the oci module, so a profile file and config.json's linux.seccomp parse identically.
#include "seccomp/profile.h"

#include <sys/utsname.h>

#include "base/strings.h"
#include "json/reader.h"
#include "seccomp/profile_docker.h"

namespace hako::seccomp {
namespace {

// Docker's keys. An entry without them means the same in both formats, so guessing "OCI" for a
// Docker profile that uses none of them gives the same result.
bool is_docker_form(const json::Value& doc) {
  if (doc.contains("archMap")) return true;
  auto it = doc.find("syscalls");
  if (it == doc.end() || !it->is_array()) return false;
  for (const json::Value& call : *it) {
    if (!call.is_object()) continue;
    if (call.contains("name") || call.contains("includes") || call.contains("excludes") ||
        call.contains("comment"))
      return true;
  }
  return false;
}

}  // namespace

Result<KernelVersion> parse_kernel_version(std::string_view release) {
  auto bad = [&] {
    return invalid_argument("invalid kernel version \"" + std::string(release) +
                            "\", expected <major>.<minor>");
  };
  auto dot = release.find('.');
  if (dot == std::string_view::npos) return bad();
  std::string_view minor = release.substr(dot + 1);
  // Anything after the minor number ("6.18.44-fc") is patch level or local version.
  size_t end = 0;
  while (end < minor.size() && minor[end] >= '0' && minor[end] <= '9') ++end;
  if (end < minor.size() && minor[end] != '.' && minor[end] != '-' && minor[end] != '+')
    return bad();
  auto ma = parse_int64(release.substr(0, dot));
  auto mi = parse_int64(minor.substr(0, end));
  if (!ma || !mi || *ma < 0 || *mi < 0 || *ma > 1000 || *mi > 1000) return bad();
  return KernelVersion{static_cast<int>(*ma), static_cast<int>(*mi)};
}

Result<ProfileContext> host_profile_context(std::vector<std::string> capabilities) {
  struct utsname u {};
  if (::uname(&u) != 0) return sys_error("uname");
  HAKO_TRY_ASSIGN(KernelVersion kernel, parse_kernel_version(u.release));
  return ProfileContext{std::move(capabilities), u.machine, kernel};
}

Result<oci::Seccomp> parse_profile(std::string_view json_text, const ProfileContext& ctx) {
  HAKO_TRY_ASSIGN(json::Value doc, json::parse(json_text, "seccomp profile"));
  HAKO_TRY(json::require_object(doc, ""));
  if (is_docker_form(doc)) return read_docker_profile(doc, ctx);
  oci::Seccomp profile;
  HAKO_TRY(oci::read_value(doc, "", profile));
  HAKO_TRY(validate_profile(profile));
  return profile;
}

}  // namespace hako::seccomp
