#include "runtime/criu_args.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hako::runtime {
namespace {

bool has_pair(const std::vector<std::string>& a, const std::string& flag,
              const std::string& value) {
  for (size_t i = 0; i + 1 < a.size(); ++i) {
    if (a[i] == flag && a[i + 1] == value) return true;
  }
  return false;
}

bool has(const std::vector<std::string>& a, const std::string& flag) {
  return std::find(a.begin(), a.end(), flag) != a.end();
}

TEST(CriuArgs, DumpCarriesTreeRootDirsAndFlags) {
  CriuDumpRequest r;
  r.pid = 42;
  r.images_dir = "/img";
  r.work_dir = "/work";
  r.root = "/b/rootfs";
  r.freeze_cgroup = "/sys/fs/cgroup/freezer/x";
  r.leave_running = true;
  r.flags.tcp_established = true;
  r.flags.shell_job = true;
  r.flags.manage_cgroups_mode = "soft";
  r.ext_mounts = {{"/data", "/data"}};
  r.externals = {"net[4026531992]:extRootNetNS"};
  auto a = criu_dump_args(r);
  EXPECT_EQ(a[0], "dump");
  EXPECT_TRUE(has_pair(a, "--tree", "42"));
  EXPECT_TRUE(has_pair(a, "--images-dir", "/img"));
  EXPECT_TRUE(has_pair(a, "--work-dir", "/work"));
  EXPECT_TRUE(has_pair(a, "--root", "/b/rootfs"));
  EXPECT_TRUE(has_pair(a, "--log-file", "dump.log"));
  EXPECT_TRUE(has_pair(a, "--freeze-cgroup", "/sys/fs/cgroup/freezer/x"));
  EXPECT_TRUE(has_pair(a, "--ext-mount-map", "/data:/data"));
  EXPECT_TRUE(has_pair(a, "--external", "net[4026531992]:extRootNetNS"));
  EXPECT_TRUE(has(a, "--leave-running"));
  EXPECT_TRUE(has(a, "--tcp-established"));
  EXPECT_TRUE(has(a, "--shell-job"));
  EXPECT_TRUE(has(a, "--manage-cgroups=soft"));
  EXPECT_FALSE(has(a, "--file-locks"));
  EXPECT_FALSE(has(a, "--ext-unix-sk"));
}

TEST(CriuArgs, PreDumpTracksMemoryAndSkipsMounts) {
  CriuDumpRequest r;
  r.pid = 7;
  r.pre_dump = true;
  r.leave_running = true;
  r.ext_mounts = {{"/data", "/data"}};
  auto a = criu_dump_args(r);
  EXPECT_EQ(a[0], "pre-dump");
  EXPECT_TRUE(has(a, "--track-mem"));
  EXPECT_TRUE(has(a, "--manage-cgroups"));
  EXPECT_FALSE(has(a, "--leave-running"));
  EXPECT_FALSE(has(a, "--ext-mount-map"));
}

TEST(CriuArgs, RestoreIsDetachedSiblingWithPidfileAndInheritedFds) {
  CriuRestoreRequest r;
  r.images_dir = "/img";
  r.work_dir = "/work";
  r.root = "/run/x/.criu-root-c";
  r.pid_file = "/run/x/c/criu.pid";
  r.flags.file_locks = true;
  r.ext_mounts = {{"/data", "/srv/data"}};
  r.inherit_fds = {{1, "pipe:[123]"}, {5, "extRootNetNS"}};
  r.join_ns = {{"uts", "/proc/1/ns/uts"}};
  r.cgroup_roots = {"memory:/hako-test/c", "/hako-test/c"};
  auto a = criu_restore_args(r);
  EXPECT_EQ(a[0], "restore");
  EXPECT_TRUE(has(a, "--restore-detached"));
  EXPECT_TRUE(has(a, "--restore-sibling"));
  EXPECT_TRUE(has_pair(a, "--pidfile", "/run/x/c/criu.pid"));
  EXPECT_TRUE(has_pair(a, "--log-file", "restore.log"));
  EXPECT_TRUE(has_pair(a, "--root", "/run/x/.criu-root-c"));
  EXPECT_TRUE(has_pair(a, "--ext-mount-map", "/data:/srv/data"));
  EXPECT_TRUE(has_pair(a, "--inherit-fd", "fd[1]:pipe:[123]"));
  EXPECT_TRUE(has_pair(a, "--inherit-fd", "fd[5]:extRootNetNS"));
  EXPECT_TRUE(has_pair(a, "--join-ns", "uts:/proc/1/ns/uts"));
  EXPECT_TRUE(has_pair(a, "--cgroup-root", "memory:/hako-test/c"));
  EXPECT_TRUE(has_pair(a, "--cgroup-root", "/hako-test/c"));
  EXPECT_TRUE(has(a, "--file-locks"));
}

TEST(CriuArgs, ExternalMountsNameBindsCgroupsMasksAndUserNsDevices) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->namespaces = {{"mount", ""}, {"user", ""}};
  spec.linux->devices = {{"c", "/dev/fuse", 10, 229, {}, {}, {}}};
  MountStep bind;
  bind.destination = "/data";
  bind.source = "/srv/data";
  bind.bind = true;
  MountStep cg;
  cg.destination = "/sys/fs/cgroup";
  cg.type = "cgroup";
  MountStep proc;
  proc.destination = "/proc";
  proc.type = "proc";
  std::vector<CgroupMount> cgroups = {{"memory", "cgroup", "memory", "/sys/fs/cgroup/memory/c"}};
  auto dump = criu_external_mounts(spec, {bind, cg, proc}, cgroups, {"/proc/kcore"}, true, false);
  auto find = [&](const std::vector<CriuExtMount>& v, const std::string& key) {
    for (const auto& m : v) {
      if (m.key == key) return m.value;
    }
    return std::string("<none>");
  };
  EXPECT_EQ(find(dump, "/data"), "/data");
  EXPECT_EQ(find(dump, "/sys/fs/cgroup/memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(find(dump, "/proc/kcore"), "/dev/null");
  EXPECT_EQ(find(dump, "/dev/fuse"), "/dev/fuse");
  EXPECT_EQ(find(dump, "/dev/null"), "/dev/null");
  EXPECT_EQ(find(dump, "/proc"), "<none>");  // a real proc mount: criu remakes it

  auto restore = criu_external_mounts(spec, {bind, cg, proc}, cgroups, {"/dev/null"}, false, true);
  EXPECT_EQ(find(restore, "/data"), "/srv/data");
  EXPECT_EQ(find(restore, "/sys/fs/cgroup/memory"), "/sys/fs/cgroup/memory/c");
  EXPECT_EQ(find(restore, "/dev/null"), "/dev/null");
  EXPECT_EQ(find(restore, "/dev/fuse"), "<none>");  // mknod'ed without a user namespace

  // With a cgroup namespace the cgroup mount is a real one.
  spec.linux->namespaces.push_back({"cgroup", ""});
  auto with_ns = criu_external_mounts(spec, {cg}, cgroups, {}, false, false);
  EXPECT_TRUE(with_ns.empty());
}

TEST(CriuArgs, LogErrorIsTheFirstErrorMessage) {
  std::string log =
      "(00.011) Found mmap_min_addr 0x10000\n"
      "(00.012) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
      "(00.013) Error (criu/crtools.c:260): Could not initialize kernel features detection.\n";
  EXPECT_EQ(criu_log_error(log), "vdso: Unexpected rt vDSO area bounds");
  EXPECT_EQ(criu_log_error("(00.1) all fine\n"), "");
  // A failed probe criu goes on after is not the reason (a restore log of this kernel).
  std::string restore =
      "(00.035) Error (criu/tun.c:85): tun: Unable to create tun: Operation not permitted\n"
      "(00.040) Found task size of 0x7ffffffff000\n"
      "(00.045) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
      "(00.045) Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n"
      "(00.045) files stat: fs/nr_open 1048576\n"
      "(00.045) Error (criu/crtools.c:260): Could not initialize kernel features detection.\n";
  EXPECT_EQ(criu_log_error(restore), "vdso: Unexpected rt vDSO area bounds");
  std::string dump =
      "(01.0) Error (criu/files-reg.c:1710): Can't lookup mount=42 for fd=1 path=/x\n"
      "(01.0) Error (criu/cr-dump.c:1353): Dump files (pid: 9) failed with -1\n"
      "(01.1) Unfreezing tasks into 1\n"
      "(01.2) Error (criu/cr-dump.c:2093): Dumping FAILED.\n";
  EXPECT_EQ(criu_log_error(dump), "Can't lookup mount=42 for fd=1 path=/x");
  EXPECT_EQ(criu_log_error("(1) Error (criu/cr-dump.c:1): Dumping FAILED.\n"), "Dumping FAILED.");
}

TEST(CriuArgs, CgroupRootsFromProcCgroup) {
  auto roots =
      criu_cgroup_roots("12:memory:/hako-test/c\n1:name=systemd:/hako-test/c\n0::/hako-test/c\n");
  ASSERT_EQ(roots.size(), 3u);
  EXPECT_EQ(roots[0], "memory:/hako-test/c");
  EXPECT_EQ(roots[1], "name=systemd:/hako-test/c");
  EXPECT_EQ(roots[2], "/hako-test/c");
}

TEST(CriuArgs, ManageCgroupsModes) {
  for (const char* m : {"", "soft", "full", "strict", "ignore"})
    EXPECT_TRUE(validate_manage_cgroups_mode(m)) << m;
  auto bad = validate_manage_cgroups_mode("props");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("soft, full, strict or ignore"), std::string::npos);
}

}  // namespace
}  // namespace hako::runtime
