// Seccomp profiles: reading the two JSON formats users write into one oci::Seccomp.
//
// (a) OCI form: the `linux.seccomp` object of config.json, kept as a standalone file.
// (b) Docker's profile format (moby/profiles/seccomp): `archMap` instead of `architectures`,
//     syscall entries with `name` or `names`, and `includes`/`excludes` conditions on the
//     container's capabilities, the host architecture and the kernel version. These are
//     resolved here, against a ProfileContext, so the result is plain OCI: the same profile
//     file gives different rules for containers with and without CAP_SYS_ADMIN.
// Errors name the JSON field path ("syscalls[3].action: unknown action \"SCMP_ACT_FOO\"").
// Values and pure functions (host_profile_context reads uname); thread safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "oci/spec.h"

namespace hako::seccomp {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  friend auto operator<=>(const KernelVersion&, const KernelVersion&) = default;
};

// What Docker-format `includes`/`excludes` are evaluated against. OCI-form profiles ignore it.
struct ProfileContext {
  // The container's bounding set, e.g. "CAP_SYS_ADMIN" (Docker tests the bounding set).
  std::vector<std::string> capabilities;
  // The host machine as `uname -m` names it ("x86_64", "aarch64"); Docker's own names
  // ("amd64", "arm64") are accepted too.
  std::string arch;
  KernelVersion kernel;
};

// The host's arch and kernel from uname(2), with the given capabilities.
Result<ProfileContext> host_profile_context(std::vector<std::string> capabilities);

// "6.18.44-fc-v657" → {6, 18}.
Result<KernelVersion> parse_kernel_version(std::string_view release);

// Parses a profile in either format (told apart by Docker's own keys: `archMap`, or a syscall
// entry with `name`, `includes`, `excludes` or `comment`) and validates it.
Result<oci::Seccomp> parse_profile(std::string_view json_text, const ProfileContext& ctx);

// The runtime spec's rules that JSON types cannot express: known action, architecture, operator
// and flag names; `names` not empty; errnoRet only with SCMP_ACT_ERRNO/TRACE; argument index
// below 6; SCMP_ACT_NOTIFY not the default action; listenerMetadata only with listenerPath.
// Support for a valid flag by this build is compile()'s business, not this function's.
Status validate_profile(const oci::Seccomp& profile);

}  // namespace hako::seccomp
