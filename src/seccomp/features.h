// What this build's seccomp support accepts, for `hako-runtime features`: the action, operator,
// architecture and flag names a profile may use. Architectures are those the linked libseccomp
// can add to a filter; supported flags are those libseccomp can set and this kernel accepts.
// Probes libseccomp and the kernel on each call (a few microseconds); thread safe.
#pragma once

#include <string>
#include <vector>

namespace hako::seccomp {

struct Vocabulary {
  std::vector<std::string> actions, operators, archs, known_flags, supported_flags;
  std::string libseccomp_version;  // "2.5.4"
};

Vocabulary vocabulary();

}  // namespace hako::seccomp
