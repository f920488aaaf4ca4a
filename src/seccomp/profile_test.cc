#include "seccomp/profile.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "seccomp/test_fixtures.h"

namespace hako::seccomp {
namespace {

using testing::docker_context;
using testing::docker_default;

// Entries (in order) that mention the syscall.
std::vector<const oci::SeccompSyscall*> rules_for(const oci::Seccomp& p, std::string_view name) {
  std::vector<const oci::SeccompSyscall*> out;
  for (const auto& call : p.syscalls)
    if (std::find(call.names.begin(), call.names.end(), name) != call.names.end())
      out.push_back(&call);
  return out;
}

bool allows(const oci::Seccomp& p, std::string_view name) {
  for (const auto* call : rules_for(p, name))
    if (call->action == "SCMP_ACT_ALLOW" && call->args.empty()) return true;
  return false;
}

std::string parse_error(std::string_view text, const ProfileContext& ctx = docker_context()) {
  auto r = parse_profile(text, ctx);
  if (r) return "(no error)";
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument) << r.error().message();
  return r.error().message();
}

TEST(ParseProfile, OciFormReadsEveryField) {
  auto p = parse_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
    "listenerPath": "/run/agent.sock", "listenerMetadata": "meta",
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
       "args": [{"index": 0, "value": 255, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"}]}
    ]})",
                         docker_context());
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p->default_errno_ret, 38u);
  EXPECT_EQ(p->architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
  EXPECT_EQ(p->flags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
  EXPECT_EQ(p->listener_path, "/run/agent.sock");
  EXPECT_EQ(p->listener_metadata, "meta");
  ASSERT_EQ(p->syscalls.size(), 2u);
  EXPECT_EQ(p->syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_FALSE(p->syscalls[0].errno_ret);
  EXPECT_EQ(p->syscalls[1].errno_ret, 22u);
  ASSERT_EQ(p->syscalls[1].args.size(), 1u);
  EXPECT_EQ(p->syscalls[1].args[0].index, 0u);
  EXPECT_EQ(p->syscalls[1].args[0].value, 255u);
  EXPECT_EQ(p->syscalls[1].args[0].value_two, 8u);
  EXPECT_EQ(p->syscalls[1].args[0].op, "SCMP_CMP_MASKED_EQ");
}

TEST(ParseProfile, ErrorsNameTheFieldPath) {
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO"}, {"names": ["b"], "action": "SCMP_ACT_LOG"},
      {"names": ["c"], "action": "SCMP_ACT_TRAP"}, {"names": ["d"], "action": "SCMP_ACT_FOO"}]})"),
            "syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_BAR"})"),
            "defaultAction: unknown action \"SCMP_ACT_BAR\"");
  EXPECT_EQ(parse_error(R"({"syscalls": []})"), "defaultAction: required");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": {}})"),
            "syscalls: expected array");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "read",
      "action": "SCMP_ACT_ERRNO"}]})"),
            "syscalls[0].names: expected array");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [],
      "action": "SCMP_ACT_ERRNO"}]})"),
            "syscalls[0].names: must contain at least one syscall name");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"],
      "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
            "syscalls[0].args[0].index: 6 is out of range (syscall arguments are 0 to 5)");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"],
      "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]})"),
            "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"],
      "action": "SCMP_ACT_ERRNO", "args": [{"index": -1, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
            "syscalls[0].args[0].index: expected non-negative integer");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["dup"],
      "action": "SCMP_ACT_LOG", "errnoRet": 1}]})"),
            "syscalls[0].errnoRet: SCMP_ACT_LOG does not take an errno return value");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1})"),
            "defaultErrnoRet: SCMP_ACT_ALLOW does not take an errno return value");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000})"),
            "defaultErrnoRet: 70000 is out of range (at most 65535)");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_NOTIFY"})"),
            "defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW",
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]})"),
            "architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
  EXPECT_EQ(
      parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_X"]})"),
      "flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_X\"");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "m"})"),
            "listenerMetadata: must not be set without listenerPath");
  EXPECT_EQ(parse_error("[]"), "document: expected object");
  EXPECT_NE(parse_error("{\"defaultAction\": ").find("seccomp profile: malformed json"),
            std::string::npos);
}

TEST(ParseProfile, DockerDefaultWithoutSysAdmin) {
  oci::Seccomp p = docker_default();
  EXPECT_EQ(p.default_action, "SCMP_ACT_ERRNO");
  EXPECT_FALSE(p.default_errno_ret);
  // archMap's x86_64 entry, expanded.
  EXPECT_EQ(p.architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_TRUE(allows(p, "read"));
  EXPECT_TRUE(allows(p, "arch_prctl"));         // includes.arches: amd64
  EXPECT_TRUE(allows(p, "modify_ldt"));         // includes.arches: amd64, x32, x86
  EXPECT_TRUE(allows(p, "ptrace"));             // includes.minKernel 4.8
  EXPECT_TRUE(allows(p, "chroot"));             // CAP_SYS_CHROOT is in Docker's set
  EXPECT_FALSE(allows(p, "sync_file_range2"));  // ppc64le and arm only
  EXPECT_TRUE(rules_for(p, "s390_runtime_instr").empty());
  EXPECT_TRUE(rules_for(p, "mount").empty());  // CAP_SYS_ADMIN only
  EXPECT_TRUE(rules_for(p, "unshare").empty());
  EXPECT_TRUE(rules_for(p, "reboot").empty());

  // clone: allowed only without namespace flags (the s390 variant is excluded here).
  auto clone = rules_for(p, "clone");
  ASSERT_EQ(clone.size(), 1u);
  ASSERT_EQ(clone[0]->args.size(), 1u);
  EXPECT_EQ(clone[0]->args[0].index, 0u);
  EXPECT_EQ(clone[0]->args[0].value, 2114060288u);
  EXPECT_EQ(clone[0]->args[0].op, "SCMP_CMP_MASKED_EQ");
  // clone3: ENOSYS so glibc falls back to clone, where the flags can be checked.
  auto clone3 = rules_for(p, "clone3");
  ASSERT_EQ(clone3.size(), 1u);
  EXPECT_EQ(clone3[0]->action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(clone3[0]->errno_ret, 38u);
  EXPECT_EQ(rules_for(p, "personality").size(), 5u);
}

TEST(ParseProfile, DockerDefaultWithSysAdmin) {
  oci::Seccomp p = docker_default(docker_context({"CAP_SYS_ADMIN"}));
  EXPECT_TRUE(allows(p, "mount"));
  EXPECT_TRUE(allows(p, "unshare"));
  EXPECT_TRUE(allows(p, "setns"));
  EXPECT_TRUE(allows(p, "clone"));  // unconditionally; the flag-checking rule is excluded
  EXPECT_TRUE(allows(p, "clone3"));
  for (const auto* call : rules_for(p, "clone")) EXPECT_TRUE(call->args.empty());
  for (const auto* call : rules_for(p, "clone3")) EXPECT_EQ(call->action, "SCMP_ACT_ALLOW");
  EXPECT_TRUE(rules_for(p, "reboot").empty());  // CAP_SYS_BOOT still missing
}

TEST(ParseProfile, DockerArchMapFollowsTheHost) {
  ProfileContext arm = docker_context();
  arm.arch = "aarch64";
  oci::Seccomp p = docker_default(arm);
  EXPECT_EQ(p.architectures, (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
  EXPECT_TRUE(allows(p, "arm_fadvise64_64"));
  EXPECT_TRUE(rules_for(p, "arch_prctl").empty());

  ProfileContext s390 = docker_context();
  s390.arch = "s390x";
  p = docker_default(s390);
  EXPECT_EQ(p.architectures, (std::vector<std::string>{"SCMP_ARCH_S390X", "SCMP_ARCH_S390"}));
  auto clone = rules_for(p, "clone");
  ASSERT_EQ(clone.size(), 1u);
  EXPECT_EQ(clone[0]->args[0].index, 1u);  // s390 passes clone's flags second

  ProfileContext docker_name = docker_context();
  docker_name.arch = "amd64";
  EXPECT_EQ(docker_default(docker_name).architectures.size(), 3u);

  ProfileContext unknown = docker_context();
  unknown.arch = "vax";
  auto r = parse_profile(testing::docker_default_text(), unknown);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "seccomp profile: host architecture \"vax\" is not known to libseccomp");
}

TEST(ParseProfile, DockerMinKernel) {
  ProfileContext old = docker_context();
  old.kernel = {4, 4};
  EXPECT_TRUE(rules_for(docker_default(old), "ptrace").empty());
  old.kernel = {4, 8};
  EXPECT_TRUE(allows(docker_default(old), "ptrace"));

  auto p = parse_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"name": "a", "action": "SCMP_ACT_ERRNO", "excludes": {"minKernel": "5.10"}},
      {"name": "b", "action": "SCMP_ACT_ERRNO", "excludes": {"minKernel": "7.0"}}]})",
                         docker_context());
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_EQ(p->syscalls.size(), 1u);
  EXPECT_EQ(p->syscalls[0].names, std::vector<std::string>{"b"});

  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"name": "a", "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "four"}}]})"),
            "syscalls[0].includes.minKernel: invalid kernel version \"four\", expected "
            "<major>.<minor>");
}

TEST(ParseProfile, DockerNameAndArchitecturesForms) {
  auto p = parse_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64"],
      "syscalls": [{"name": "read", "action": "SCMP_ACT_ALLOW", "comment": "c", "args": null,
                    "includes": {}, "excludes": {}}]})",
                         docker_context());
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->architectures, std::vector<std::string>{"SCMP_ARCH_X86_64"});
  EXPECT_EQ(p->default_errno_ret, 1u);
  ASSERT_EQ(p->syscalls.size(), 1u);
  EXPECT_EQ(p->syscalls[0].names, std::vector<std::string>{"read"});

  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"name": "read", "names": ["write"], "action": "SCMP_ACT_ERRNO"}]})"),
            "syscalls[0]: both name and names are set, use one of them");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"],
      "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})"),
            "archMap: cannot be used together with architectures, use one of them");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW",
      "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_Z80"]}]})"),
            "archMap[0].subArchitectures[0]: unknown architecture \"SCMP_ARCH_Z80\"");
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"name": "a", "action": "SCMP_ACT_ERRNO", "includes": {"caps": "CAP_X"}}]})"),
            "syscalls[0].includes.caps: expected array");
}

TEST(ParseProfile, DockerErrorsUseTheIndexInTheFile) {
  // Entry 1 does not apply to this container, and is still checked, under its own index.
  EXPECT_EQ(parse_error(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"name": "a", "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"name": "b", "action": "SCMP_ACT_FOO", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]})"),
            "syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");
}

TEST(ParseProfile, KernelVersion) {
  auto v = parse_kernel_version("6.18.44-fc-v657");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (KernelVersion{6, 18}));
  EXPECT_EQ(*parse_kernel_version("4.8"), (KernelVersion{4, 8}));
  EXPECT_EQ(*parse_kernel_version("5.15-rc1"), (KernelVersion{5, 15}));
  EXPECT_FALSE(parse_kernel_version("4"));
  EXPECT_FALSE(parse_kernel_version("4.x"));
  EXPECT_FALSE(parse_kernel_version(".8"));
  EXPECT_TRUE((KernelVersion{6, 1}) < (KernelVersion{6, 18}));
}

TEST(ParseProfile, HostContext) {
  auto ctx = host_profile_context({"CAP_SYS_ADMIN"});
  ASSERT_TRUE(ctx) << ctx.error().message();
  EXPECT_FALSE(ctx->arch.empty());
  EXPECT_GE(ctx->kernel.major, 3);
  EXPECT_TRUE(parse_profile(testing::docker_default_text(), *ctx)) << "host arch " << ctx->arch;
}

}  // namespace
}  // namespace hako::seccomp
