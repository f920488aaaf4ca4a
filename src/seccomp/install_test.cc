// Filters are installed in forked children with no_new_privs, which needs no privilege.
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "seccomp/filter.h"
#include "seccomp/test_fixtures.h"

namespace hako::seccomp {
namespace {

using testing::run_in_child;

oci::SeccompSyscall rule(std::vector<std::string> names, std::string action,
                         std::optional<uint32_t> errno_ret = std::nullopt,
                         std::vector<oci::SeccompArg> args = {}) {
  oci::SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.errno_ret = errno_ret;
  s.args = std::move(args);
  return s;
}

Filter compiled(const oci::Seccomp& p) {
  auto f = compile(p);
  EXPECT_TRUE(f) << f.error().message();
  return f ? *f : Filter{};
}

// Child-side check: 0 when `call` failed with `expected` errno, else a distinct code.
int expect_errno(long result, int expected, int code) {
  if (result != -1) return code;
  return errno == expected ? 0 : code + 1;
}

TEST(Install, ErrnoRules) {
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 123));
  p.syscalls.push_back(rule({"getcwd"}, "SCMP_ACT_ERRNO"));  // EPERM
  Filter f = compiled(p);
  int rc = run_in_child([&] {
    auto fd = install(f);
    if (!fd) return 10;
    if (fd->valid()) return 11;
    if (int r = expect_errno(::mkdir("/nonexistent-hako-test/dir", 0700), 123, 20)) return r;
    char buf[256];
    if (int r = expect_errno(::syscall(SYS_getcwd, buf, sizeof buf), EPERM, 30)) return r;
    return ::getpid() > 0 ? 0 : 40;
  });
  EXPECT_EQ(rc, 0);
}

TEST(Install, ArgumentConditions) {
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  // Same argument twice in one entry: either value matches (runc's reading).
  p.syscalls.push_back(rule({"fchdir"}, "SCMP_ACT_ERRNO", 77,
                            {{0, 500, 0, "SCMP_CMP_EQ"}, {0, 501, 0, "SCMP_CMP_EQ"}}));
  // Different arguments: both must match.
  p.syscalls.push_back(rule({"dup3"}, "SCMP_ACT_ERRNO", 78,
                            {{0, 600, 0, "SCMP_CMP_EQ"}, {1, 601, 0, "SCMP_CMP_EQ"}}));
  // MASKED_EQ: value is the mask, valueTwo the expected result.
  p.syscalls.push_back(
      rule({"flock"}, "SCMP_ACT_ERRNO", 79, {{1, LOCK_NB, LOCK_NB, "SCMP_CMP_MASKED_EQ"}}));
  p.syscalls.push_back(rule({"fchmod"}, "SCMP_ACT_ERRNO", 80, {{1, 0777, 0, "SCMP_CMP_GT"}}));
  Filter f = compiled(p);
  int rc = run_in_child([&] {
    if (!install(f)) return 10;
    if (int r = expect_errno(::fchdir(500), 77, 20)) return r;
    if (int r = expect_errno(::fchdir(501), 77, 22)) return r;
    if (int r = expect_errno(::fchdir(502), EBADF, 24)) return r;
    if (int r = expect_errno(::dup3(600, 601, 0), 78, 30)) return r;
    if (int r = expect_errno(::dup3(600, 602, 0), EBADF, 32)) return r;
    if (int r = expect_errno(::flock(-1, LOCK_SH | LOCK_NB), 79, 40)) return r;
    if (int r = expect_errno(::flock(-1, LOCK_SH), EBADF, 42)) return r;
    if (int r = expect_errno(::fchmod(-1, 01000), 80, 50)) return r;
    if (int r = expect_errno(::fchmod(-1, 0644), EBADF, 52)) return r;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(Install, DockerDefaultBlocksNamespaces) {
  Filter f = compiled(testing::docker_default());
  int rc = run_in_child([&] {
    if (!install(f)) return 10;
    if (int r = expect_errno(::unshare(CLONE_NEWUSER), EPERM, 20)) return r;
    if (int r = expect_errno(::syscall(SYS_clone3, nullptr, 0), ENOSYS, 30)) return r;
    char buf[256];
    if (!::getcwd(buf, sizeof buf)) return 40;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(Install, KillProcess) {
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back(rule({"getppid"}, "SCMP_ACT_KILL_PROCESS"));
  Filter f = compiled(p);
  int rc = run_in_child([&] {
    rlimit no_core{0, 0};  // SIGSYS dumps core by default
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (!install(f)) return 10;
    ::getppid();
    return 20;
  });
  EXPECT_EQ(rc, -SIGSYS);
}

TEST(Install, NotifyReturnsListener) {
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  // TSYNC with a listener needs TSYNC_ESRCH, which install() adds.
  p.flags = {"SECCOMP_FILTER_FLAG_TSYNC"};
  p.syscalls.push_back(rule({"mknod", "mknodat"}, "SCMP_ACT_NOTIFY"));
  Filter f = compiled(p);
  ASSERT_TRUE(f.uses_notify);
  int rc = run_in_child([&] {
    auto fd = install(f);
    if (!fd) return 10;
    if (!fd->valid()) return 11;
    int flags = ::fcntl(fd->get(), F_GETFD);
    return flags >= 0 && (flags & FD_CLOEXEC) ? 0 : 12;
  });
  EXPECT_EQ(rc, 0);
}

TEST(Install, WithoutNoNewPrivsNeedsSysAdmin) {
  oci::Seccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  Filter f = compiled(p);
  int rc = run_in_child(
      [&] {
        // Drop CAP_SYS_ADMIN from the effective set (allowed to anyone); as a non-root user it
        // is not there to begin with.
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2]{};
        if (::syscall(SYS_capget, &hdr, data) != 0) return 10;
        data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
        if (::syscall(SYS_capset, &hdr, data) != 0) return 11;
        auto fd = install(f);
        if (fd) return 12;
        if (fd.error().code() != ErrorCode::kPermissionDenied) return 13;
        return fd.error().message().find("no_new_privs") != std::string::npos ? 0 : 14;
      },
      /*no_new_privs=*/false);
  EXPECT_EQ(rc, 0);
}

TEST(Install, RejectsAMalformedProgram) {
  Filter f;
  f.program = "1234567";
  auto fd = install(f);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().message(), "install seccomp filter: malformed program of 7 bytes");
}

}  // namespace
}  // namespace hako::seccomp
