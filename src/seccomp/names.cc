#include "seccomp/names.h"

#include <linux/seccomp.h>

#include <cerrno>

namespace hako::seccomp {
namespace {

struct ActionName {
  std::string_view name;
  Action action;
};
constexpr ActionName kActions[] = {
    {"SCMP_ACT_KILL", Action::kKill},
    {"SCMP_ACT_KILL_PROCESS", Action::kKillProcess},
    {"SCMP_ACT_KILL_THREAD", Action::kKillThread},
    {"SCMP_ACT_TRAP", Action::kTrap},
    {"SCMP_ACT_ERRNO", Action::kErrno},
    {"SCMP_ACT_TRACE", Action::kTrace},
    {"SCMP_ACT_ALLOW", Action::kAllow},
    {"SCMP_ACT_LOG", Action::kLog},
    {"SCMP_ACT_NOTIFY", Action::kNotify},
};

struct ArchToken {
  std::string_view name;
  uint32_t token;
};
// The runtime spec's list, which is everything libseccomp 2.5 knows.
constexpr ArchToken kArches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

struct OpName {
  std::string_view name;
  scmp_compare op;
};
constexpr OpName kOps[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

struct FlagName {
  std::string_view name;
  FlagInfo info;
};
// WAIT_KILLABLE_RECV is in the runtime spec but needs libseccomp 2.6; it is known (so the error
// says "not supported" rather than "unknown") but refused.
constexpr FlagName kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", {SECCOMP_FILTER_FLAG_TSYNC, true}},
    {"SECCOMP_FILTER_FLAG_LOG", {SECCOMP_FILTER_FLAG_LOG, true}},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", {SECCOMP_FILTER_FLAG_SPEC_ALLOW, true}},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, false}},
};

constexpr ArchNames kHostArches[] = {
    {"x86_64", "amd64", "SCMP_ARCH_X86_64"},
    {"i686", "x86", "SCMP_ARCH_X86"},
    {"aarch64", "arm64", "SCMP_ARCH_AARCH64"},
    {"armv7l", "arm", "SCMP_ARCH_ARM"},
    {"mips", "mips", "SCMP_ARCH_MIPS"},
    {"mips64", "mips64", "SCMP_ARCH_MIPS64"},
    {"ppc", "ppc", "SCMP_ARCH_PPC"},
    {"ppc64", "ppc64", "SCMP_ARCH_PPC64"},
    {"ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE"},
    {"s390", "s390", "SCMP_ARCH_S390"},
    {"s390x", "s390x", "SCMP_ARCH_S390X"},
    {"parisc", "parisc", "SCMP_ARCH_PARISC"},
    {"parisc64", "parisc64", "SCMP_ARCH_PARISC64"},
    {"riscv64", "riscv64", "SCMP_ARCH_RISCV64"},
};

}  // namespace

std::optional<Action> find_action(std::string_view name) {
  for (const auto& a : kActions)
    if (a.name == name) return a.action;
  return std::nullopt;
}

bool takes_errno(Action action) { return action == Action::kErrno || action == Action::kTrace; }

uint32_t action_value(Action action, std::optional<uint32_t> errno_ret) {
  switch (action) {
    case Action::kKill:
    case Action::kKillThread:
      return SCMP_ACT_KILL_THREAD;
    case Action::kKillProcess:
      return SCMP_ACT_KILL_PROCESS;
    case Action::kTrap:
      return SCMP_ACT_TRAP;
    case Action::kErrno:
      return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
    case Action::kTrace:
      return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
    case Action::kAllow:
      return SCMP_ACT_ALLOW;
    case Action::kLog:
      return SCMP_ACT_LOG;
    case Action::kNotify:
      return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;  // unreachable; the safest value if it ever is not
}

std::optional<uint32_t> find_arch(std::string_view name) {
  for (const auto& a : kArches)
    if (a.name == name) return a.token;
  return std::nullopt;
}

std::optional<scmp_compare> find_op(std::string_view name) {
  for (const auto& o : kOps)
    if (o.name == name) return o.op;
  return std::nullopt;
}

std::optional<FlagInfo> find_flag(std::string_view name) {
  for (const auto& f : kFlags)
    if (f.name == name) return f.info;
  return std::nullopt;
}

template <typename Table>
static std::vector<std::string_view> names_of(const Table& table) {
  std::vector<std::string_view> out;
  for (const auto& e : table) out.push_back(e.name);
  return out;
}
std::vector<std::string_view> action_names() { return names_of(kActions); }
std::vector<std::string_view> arch_names() { return names_of(kArches); }
std::vector<std::string_view> op_names() { return names_of(kOps); }
std::vector<std::string_view> flag_names() { return names_of(kFlags); }

std::optional<ArchNames> find_host_arch(std::string_view name) {
  // uname spells 32-bit x86 and ARM by CPU generation: i386..i686, armv6l, armv7l, armv8l.
  if (name.size() == 4 && name[0] == 'i' && name.substr(2) == "86") name = "i686";
  if (name.starts_with("armv")) name = "armv7l";
  for (const auto& a : kHostArches)
    if (a.uname == name || a.docker == name) return a;
  return std::nullopt;
}

}  // namespace hako::seccomp
