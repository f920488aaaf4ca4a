// Fixtures shared by the seccomp unit tests: the shipped Docker profile, profile contexts, a
// temporary directory, and a forked child to install filters in (never the test process).
// Test-only; not thread safe.
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "seccomp/profile.h"
#include "sys/file.h"

namespace hako::seccomp::testing {

inline std::string docker_default_text() {
  auto text = sys::read_file(HAKO_SECCOMP_PROFILES_DIR "/docker-default.json");
  EXPECT_TRUE(text) << text.error().message();
  return text ? *text : std::string();
}

// Docker's default capability set (no CAP_SYS_ADMIN), on this x86_64 host with a 6.18 kernel.
inline ProfileContext docker_context(std::vector<std::string> extra_caps = {}) {
  ProfileContext ctx;
  ctx.capabilities = {"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
                      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
                      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
                      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  for (auto& c : extra_caps) ctx.capabilities.push_back(std::move(c));
  ctx.arch = "x86_64";
  ctx.kernel = {6, 18};
  return ctx;
}

inline oci::Seccomp docker_default(const ProfileContext& ctx = docker_context()) {
  auto p = parse_profile(docker_default_text(), ctx);
  EXPECT_TRUE(p) << p.error().message();
  return p ? *p : oci::Seccomp{};
}

class TempDir {
 public:
  TempDir() {
    const char* base = ::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/hako-seccomp-test.XXXXXX";
    if (::mkdtemp(tmpl.data())) path_ = tmpl;
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() {
    if (!path_.empty()) (void)sys::remove_all(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs fn in a forked child and returns its exit status (fn's result), or -signal if it died.
// The child sets no_new_privs first unless told not to, so installing needs no privilege; it
// must not use gtest assertions (they would report in the child).
inline int run_in_child(const std::function<int()>& fn, bool no_new_privs = true) {
  pid_t pid = ::fork();
  if (pid < 0) return -1000;
  if (pid == 0) {
    ::alarm(20);  // a wedged child must not hang the suite
    if (no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(200);
    ::_exit(fn());
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1001;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

}  // namespace hako::seccomp::testing
