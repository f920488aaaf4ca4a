// Manager against fake pure-v2 and hybrid hosts.
#include <gtest/gtest.h>

#include "cgroup/fake_cgroupfs.h"
#include "cgroup/manager.h"

namespace hako::cgroup {
namespace {

constexpr const char* kAllControllers = "cpuset cpu io memory hugetlb pids\n";

struct V2Host {
  FakeCgroupFs fs;
  Layout layout;
  V2Host() {
    layout.mode = Mode::kV2;
    layout.hierarchies.push_back(fs.v2("cg2"));
    fs.file("cg2/cgroup.controllers", kAllControllers);
    fs.file("cg2/cgroup.subtree_control");
    fs.file("cg2/hako/cgroup.controllers", kAllControllers);
    fs.file("cg2/hako/cgroup.subtree_control");
    fs.files("cg2/hako/c1",
             {"cgroup.procs", "cgroup.events", "cgroup.kill", "memory.max", "memory.swap.max",
              "memory.low", "memory.high", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle",
              "cpuset.cpus", "cpuset.mems", "pids.max", "io.max", "io.weight", "hugetlb.2MB.max"});
  }
};

CgroupPath default_path() { return *parse_cgroup_path("", "c1"); }
CreateOptions no_devices() {
  CreateOptions o;
  o.skip_devices = true;  // the eBPF program needs root and a real cgroup2 directory
  return o;
}

TEST(ManagerV2, WritesEveryLimitExactly) {
  V2Host host;
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 30;
  r.memory->swap = int64_t{3} << 30;  // memory+swap: 2 GiB of swap
  r.memory->reservation = 256 << 20;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.pids_limit = 100;
  r.block_io.emplace();
  r.block_io->weight = 500;
  r.block_io->throttle_read_bps_device = {{8, 0, 1048576}};
  r.block_io->throttle_write_iops_device = {{8, 0, 200}};
  r.hugepage_limits = {{"2MB", 2097152}};
  r.unified["memory.high"] = "900000000";
  r.unified["io.max"] = "8:16 rbps=1\n8:32 wbps=2\n";

  auto m = Manager::create(host.layout, default_path(), r, no_devices());
  ASSERT_TRUE(m) << m.error().message();
  auto& fs = host.fs;
  EXPECT_EQ(fs.read("cg2/hako/c1/memory.swap.max"), "2147483648\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/memory.max"), "1073741824\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/memory.low"), "268435456\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/memory.high"), "900000000\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/cpu.weight"), "39\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/cpu.max"), "50000 100000\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/cpuset.cpus"), "0-1\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/cpuset.mems"), "0\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/pids.max"), "100\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/io.weight"), "4950\n");
  // Throttles one device per write, then the unified lines, which override.
  EXPECT_EQ(fs.read("cg2/hako/c1/io.max"),
            "8:0 rbps=1048576\n8:0 wiops=200\n8:16 rbps=1\n8:32 wbps=2\n");
  EXPECT_EQ(fs.read("cg2/hako/c1/hugetlb.2MB.max"), "2097152\n");
  // Every controller the parents offer is passed down (runc does the same on v2).
  EXPECT_EQ(fs.read("cg2/cgroup.subtree_control"), "+cpuset +cpu +io +memory +hugetlb +pids\n");
  EXPECT_EQ(fs.read("cg2/hako/cgroup.subtree_control"),
            "+cpuset +cpu +io +memory +hugetlb +pids\n");
  ASSERT_EQ(m->paths().size(), 1u);
  EXPECT_EQ(m->paths()[0], (CgroupDir{"", fs.path("cg2/hako/c1"), 2}));
  EXPECT_GE(m->clone_into_fd(), 0);
}

TEST(ManagerV2, QuotaUnlimitedAndPidsMax) {
  V2Host host;
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->quota = -1;
  r.cpu->period = 200000;
  r.pids_limit = 0;
  r.memory.emplace();
  r.memory->limit = -1;  // and swap unset: both unlimited, as on v1
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r, no_devices()));
  EXPECT_EQ(host.fs.read("cg2/hako/c1/cpu.max"), "max 200000\n");
  EXPECT_EQ(host.fs.read("cg2/hako/c1/pids.max"), "max\n");
  EXPECT_EQ(host.fs.read("cg2/hako/c1/memory.swap.max"), "max\n");
  EXPECT_EQ(host.fs.read("cg2/hako/c1/memory.max"), "max\n");
}

TEST(ManagerV2, NoSwapAccountingIsFineForNoOrUnlimitedSwap) {
  V2Host host;
  ASSERT_TRUE(sys::remove_all(host.fs.path("cg2/hako/c1/memory.swap.max")));
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 30;
  r.memory->swap = 1 << 30;  // swap.max 0
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r, no_devices()));
  r.memory->swap = int64_t{2} << 30;
  auto m = Manager::create(host.layout, default_path(), r, no_devices());
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find(
                "linux.resources.memory.swap: this kernel offers no memory.swap.max"),
            std::string::npos)
      << m.error().message();
}

TEST(ManagerV2, V1OnlySettingsAreClearErrors) {
  struct Case {
    const char* field;
    void (*set)(oci::Resources&);
  };
  const Case cases[] = {
      {"linux.resources.memory.swappiness",
       [](oci::Resources& r) { r.memory.emplace().swappiness = 10; }},
      {"linux.resources.memory.disableOOMKiller",
       [](oci::Resources& r) { r.memory.emplace().disable_oom_killer = true; }},
      {"linux.resources.memory.kernel",
       [](oci::Resources& r) { r.memory.emplace().kernel = 1 << 20; }},
      {"linux.resources.cpu.realtimeRuntime",
       [](oci::Resources& r) { r.cpu.emplace().realtime_runtime = 1000; }},
      {"linux.resources.blockIO.leafWeight",
       [](oci::Resources& r) { r.block_io.emplace().leaf_weight = 100; }},
      {"linux.resources.network.classID",
       [](oci::Resources& r) { r.network.emplace().class_id = 1; }},
  };
  for (const auto& c : cases) {
    V2Host host;
    oci::Resources r;
    c.set(r);
    auto m = Manager::create(host.layout, default_path(), r, no_devices());
    ASSERT_FALSE(m) << c.field;
    EXPECT_NE(m.error().message().find(c.field), std::string::npos) << m.error().message();
  }
}

TEST(ManagerV2, UnifiedKeysAreCheckedBeforeAnythingIsMade) {
  V2Host host;
  for (const char* key : {"../memory.max", "x/memory.max", "cgroup.procs"}) {
    oci::Resources r;
    r.unified[key] = "1";
    auto m = Manager::create(host.layout, *parse_cgroup_path("/fresh", "c1"), r, no_devices());
    ASSERT_FALSE(m) << key;
    EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(host.fs.exists("cg2/fresh"));
  }
  oci::Resources r;
  r.unified["rdma.max"] = "mlx4_0 hca_handle=2";
  auto m = Manager::create(host.layout, default_path(), r, no_devices());
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("is the rdma controller available"), std::string::npos)
      << m.error().message();
}

TEST(ManagerV2, DevicesNeedTheEbpfProgram) {
  // Not root and not a cgroup2 directory: loading or attaching must fail, and say where.
  V2Host host;
  auto m = Manager::create(host.layout, default_path(), oci::Resources{});
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("attach device filter to " + host.fs.path("cg2/hako/c1")),
            std::string::npos)
      << m.error().message();
}

// Hybrid as on this machine: every controller on v1 except hugetlb, which is on cgroup2.
struct HybridHost {
  FakeCgroupFs fs;
  Layout layout;
  HybridHost() {
    layout.mode = Mode::kHybrid;
    layout.hierarchies.push_back(fs.v1("memory", {"memory"}));
    fs.files("memory/hako/c1", {"cgroup.procs", "memory.limit_in_bytes"});
    layout.hierarchies.push_back(fs.v1("devices", {"devices"}));
    fs.files("devices/hako/c1", {"cgroup.procs", "devices.allow", "devices.deny"});
    layout.hierarchies.push_back(fs.v1("pids", {"pids"}));
    fs.files("pids/hako/c1", {"cgroup.procs", "pids.max"});
    layout.hierarchies.push_back(fs.v2("unified"));
    fs.file("unified/cgroup.controllers", "hugetlb\n");
    fs.file("unified/cgroup.subtree_control");
    fs.file("unified/hako/cgroup.controllers", "hugetlb\n");
    fs.file("unified/hako/cgroup.subtree_control");
    fs.files("unified/hako/c1",
             {"cgroup.procs", "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max"});
  }
};

TEST(ManagerHybrid, HugetlbGoesToCgroup2EverythingElseToV1) {
  HybridHost host;
  oci::Resources r;
  r.memory.emplace().limit = 64 << 20;
  r.pids_limit = 10;
  r.hugepage_limits = {{"2MB", 4 << 21}};
  r.unified["hugetlb.1GB.max"] = "0";
  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_TRUE(m) << m.error().message();
  auto& fs = host.fs;
  EXPECT_EQ(fs.read("memory/hako/c1/memory.limit_in_bytes"), "67108864\n");
  EXPECT_EQ(fs.read("pids/hako/c1/pids.max"), "10\n");
  EXPECT_EQ(fs.read("devices/hako/c1/devices.deny"), "a\n");
  EXPECT_EQ(fs.read("unified/hako/c1/hugetlb.2MB.max"), "8388608\n");
  EXPECT_EQ(fs.read("unified/hako/c1/hugetlb.2MB.rsvd.max"), "8388608\n");
  EXPECT_EQ(fs.read("unified/hako/c1/hugetlb.1GB.max"), "0\n");
  // Only what cgroup2 must carry is enabled on its parents.
  EXPECT_EQ(fs.read("unified/cgroup.subtree_control"), "+hugetlb\n");
  EXPECT_EQ(fs.read("unified/hako/cgroup.subtree_control"), "+hugetlb\n");
  ASSERT_EQ(m->paths().size(), 4u);
  EXPECT_EQ(m->paths()[3].hierarchy, "");
  EXPECT_GE(m->clone_into_fd(), 0);  // the cgroup2 part: CLONE_INTO_CGROUP + join_from_child()
}

TEST(ManagerHybrid, NothingForCgroup2LeavesItsParentsAlone) {
  HybridHost host;
  oci::Resources r;
  r.memory.emplace().limit = 64 << 20;
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
  EXPECT_EQ(host.fs.read("unified/cgroup.subtree_control"), "");
  EXPECT_EQ(host.fs.read("unified/hako/cgroup.subtree_control"), "");
}

}  // namespace
}  // namespace hako::cgroup
