#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "seccomp/filter.h"
#include "seccomp/test_fixtures.h"

namespace hako::seccomp {
namespace {

oci::Seccomp allow_all() {
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  return p;
}

oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                         std::vector<oci::SeccompArg> args = {}) {
  oci::SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.args = std::move(args);
  return s;
}

// The instruction count of a program compiled from p; 0 on error (reported).
size_t compiled_size(const oci::Seccomp& p) {
  auto f = compile(p);
  EXPECT_TRUE(f) << f.error().message();
  return f ? f->instruction_count() : 0;
}

TEST(Compile, DockerDefault) {
  oci::Seccomp p = testing::docker_default();
  auto start = std::chrono::steady_clock::now();
  auto f = compile(p);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_GT(f->instruction_count(), 100u);
  EXPECT_LE(f->instruction_count(), size_t{BPF_MAXINSNS});
  EXPECT_EQ(f->flags, 0u);
  EXPECT_FALSE(f->uses_notify);
  std::cout << "[ info ] docker default: " << f->instruction_count()
            << " instructions, compiled in "
            << std::chrono::duration<double, std::milli>(took).count() << " ms\n";

  auto admin = compile(testing::docker_default(testing::docker_context({"CAP_SYS_ADMIN"})));
  ASSERT_TRUE(admin) << admin.error().message();
  EXPECT_NE(admin->program, f->program);
}

TEST(Compile, IsDeterministic) {
  oci::Seccomp p = testing::docker_default();
  auto a = compile(p);
  auto b = compile(p);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
}

TEST(Compile, SupportedFlags) {
  oci::Seccomp p = allow_all();
  p.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
             "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  auto f = compile(p);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->flags,
            SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
}

TEST(Compile, UnsupportedFlagIsAClearError) {
  oci::Seccomp p = allow_all();
  p.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  auto f = compile(p);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(f.error().message(),
            "flags[1]: seccomp flag SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported by "
            "this build (libseccomp 2.5)");
}

TEST(Compile, EveryAction) {
  for (const char* action :
       {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"}) {
    SCOPED_TRACE(action);
    oci::Seccomp p = allow_all();
    p.syscalls.push_back(rule({"mkdir"}, action));
    auto f = compile(p);
    ASSERT_TRUE(f) << f.error().message();
    EXPECT_EQ(f->uses_notify, std::string_view(action) == "SCMP_ACT_NOTIFY");
    EXPECT_GT(f->instruction_count(), compiled_size(allow_all()));
  }
  for (const char* action : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
                             "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG"}) {
    SCOPED_TRACE(action);
    oci::Seccomp p;
    p.default_action = action;
    p.syscalls.push_back(rule({"read"}, "SCMP_ACT_ALLOW"));
    EXPECT_GT(compiled_size(p), 0u);
  }
}

TEST(Compile, ErrnoValues) {
  oci::Seccomp a = allow_all();
  a.syscalls.push_back(rule({"mkdir"}, "SCMP_ACT_ERRNO"));
  oci::Seccomp b = a;
  b.syscalls[0].errno_ret = EPERM;  // the default
  oci::Seccomp c = a;
  c.syscalls[0].errno_ret = 123;
  auto fa = compile(a), fb = compile(b), fc = compile(c);
  ASSERT_TRUE(fa && fb && fc);
  EXPECT_EQ(fa->program, fb->program);
  EXPECT_NE(fa->program, fc->program);
}

TEST(Compile, EveryArchitecture) {
  for (const char* arch :
       {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
        "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
        "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
        "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"}) {
    SCOPED_TRACE(arch);
    oci::Seccomp p;
    p.default_action = "SCMP_ACT_ERRNO";
    p.architectures = {arch};
    p.syscalls.push_back(rule({"read", "write", "chown32", "arm_fadvise64_64"}, "SCMP_ACT_ALLOW"));
    EXPECT_GT(compiled_size(p), 0u);
  }
}

TEST(Compile, EveryOperatorAndArgumentShapes) {
  for (const char* op : {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                         "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"}) {
    SCOPED_TRACE(op);
    oci::Seccomp p = allow_all();
    p.syscalls.push_back(rule({"dup"}, "SCMP_ACT_ERRNO", {{0, 5, 1, op}}));
    EXPECT_GT(compiled_size(p), compiled_size(allow_all()));
  }
  // AND over different arguments in one rule.
  oci::Seccomp and_rule = allow_all();
  and_rule.syscalls.push_back(
      rule({"dup3"}, "SCMP_ACT_ERRNO", {{0, 1, 0, "SCMP_CMP_EQ"}, {1, 2, 0, "SCMP_CMP_EQ"}}));
  EXPECT_GT(compiled_size(and_rule), 0u);
  // The same argument twice: libseccomp cannot AND these, so they become two rules (OR).
  oci::Seccomp same_arg = allow_all();
  same_arg.syscalls.push_back(
      rule({"fchdir"}, "SCMP_ACT_ERRNO", {{0, 1, 0, "SCMP_CMP_EQ"}, {0, 2, 0, "SCMP_CMP_EQ"}}));
  EXPECT_GT(compiled_size(same_arg), 0u);
  // Several entries for one syscall and argument.
  oci::Seccomp entries = allow_all();
  for (uint64_t v : {1, 2, 3})
    entries.syscalls.push_back(rule({"personality"}, "SCMP_ACT_ERRNO", {{0, v, 0, "SCMP_CMP_EQ"}}));
  EXPECT_GT(compiled_size(entries), 0u);
}

TEST(Compile, UnknownSyscallsAndDefaultActionRulesAreSkipped) {
  oci::Seccomp base;
  base.default_action = "SCMP_ACT_ERRNO";
  base.syscalls.push_back(rule({"read"}, "SCMP_ACT_ALLOW"));
  oci::Seccomp extra = base;
  extra.syscalls.push_back(rule({"no_such_syscall", "frobnicate"}, "SCMP_ACT_ALLOW"));
  extra.syscalls.push_back(rule({"write"}, "SCMP_ACT_ERRNO"));  // same as the default
  auto a = compile(base), b = compile(extra);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->program, b->program);
}

TEST(Compile, OtherByteOrderArchesAreSkipped) {
  if (seccomp_arch_native() != SCMP_ARCH_X86_64) GTEST_SKIP() << "needs an x86_64 host";
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ERRNO";
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  p.syscalls.push_back(rule({"read", "write"}, "SCMP_ACT_ALLOW"));
  oci::Seccomp with_big_endian = p;
  with_big_endian.architectures.push_back("SCMP_ARCH_PPC64");
  with_big_endian.architectures.push_back("SCMP_ARCH_S390X");
  auto a = compile(p), b = compile(with_big_endian);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->program, b->program);
}

TEST(Compile, ValidatesFirst) {
  oci::Seccomp p = allow_all();
  p.syscalls.push_back(rule({"read"}, "SCMP_ACT_ERRNO", {{7, 0, 0, "SCMP_CMP_EQ"}}));
  auto f = compile(p);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message(),
            "syscalls[0].args[0].index: 7 is out of range (syscall arguments are 0 to 5)");
}

}  // namespace
}  // namespace hako::seccomp
