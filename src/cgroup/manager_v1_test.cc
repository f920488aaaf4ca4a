// Manager against a fake pure-v1 host laid out like this machine's v1 part.
#include <gtest/gtest.h>

#include "cgroup/fake_cgroupfs.h"
#include "cgroup/manager.h"

namespace hako::cgroup {
namespace {

struct V1Host {
  FakeCgroupFs fs;
  Layout layout;

  explicit V1Host(bool memsw = true, bool bfq = false) {
    layout.mode = Mode::kV1;
    auto add = [&](const std::string& mount, std::initializer_list<const char*> ctrls,
                   std::initializer_list<const char*> leaf_files) {
      layout.hierarchies.push_back(fs.v1(mount, ctrls));
      fs.files(mount + "/hako/c1", leaf_files);
      fs.file(mount + "/hako/c1/cgroup.procs");
    };
    add("cpu", {"cpu"},
        {"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.cfs_burst_us",
         "cpu.rt_runtime_us", "cpu.rt_period_us", "cpu.idle"});
    add("cpuacct", {"cpuacct"}, {});
    add("cpuset", {"cpuset"}, {"cpuset.cpus", "cpuset.mems"});
    fs.file("cpuset/cpuset.cpus", "0-3\n");
    fs.file("cpuset/cpuset.mems", "0\n");
    fs.file("cpuset/hako/cpuset.cpus");
    fs.file("cpuset/hako/cpuset.mems");
    add("memory", {"memory"},
        {"memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.swappiness",
         "memory.oom_control", "memory.kmem.limit_in_bytes"});
    if (memsw) fs.file("memory/hako/c1/memory.memsw.limit_in_bytes");
    add("devices", {"devices"}, {"devices.allow", "devices.deny"});
    add("freezer", {"freezer"}, {"freezer.state"});
    add("blkio", {"blkio"},
        {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
         "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"});
    if (bfq) {
      fs.file("blkio/hako/c1/blkio.bfq.weight");
      fs.file("blkio/hako/c1/blkio.bfq.weight_device");
    }
    add("pids", {"pids"}, {"pids.max"});
    add("systemd", {"name=systemd"}, {});
  }
};

CgroupPath default_path() { return *parse_cgroup_path("", "c1"); }

oci::DeviceCgroupRule dev_rule(bool allow, std::string type, std::optional<int64_t> major,
                               std::optional<int64_t> minor, std::string access) {
  oci::DeviceCgroupRule r;
  r.allow = allow;
  r.type = std::move(type);
  r.major = major;
  r.minor = minor;
  r.access = std::move(access);
  return r;
}

TEST(ManagerV1, WritesEveryLimitExactly) {
  V1Host host;
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 30;
  r.memory->reservation = 512 << 20;
  r.memory->swap = int64_t{2} << 30;
  r.memory->swappiness = 10;
  r.memory->disable_oom_killer = true;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 1000;
  r.cpu->idle = 0;
  r.cpu->cpus = "1";
  r.pids_limit = -1;
  r.block_io.emplace();
  r.block_io->throttle_read_bps_device = {{8, 0, 1048576}, {8, 16, 2097152}};
  r.block_io->throttle_write_iops_device = {{8, 0, 100}};
  r.devices = {dev_rule(false, "", std::nullopt, std::nullopt, "rwm"),
               dev_rule(true, "c", 1, 3, "rwm"), dev_rule(true, "c", 136, std::nullopt, "rw")};

  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_TRUE(m) << m.error().message();
  auto& fs = host.fs;
  EXPECT_EQ(fs.read("memory/hako/c1/memory.limit_in_bytes"), "1073741824\n");
  EXPECT_EQ(fs.read("memory/hako/c1/memory.memsw.limit_in_bytes"), "2147483648\n");
  EXPECT_EQ(fs.read("memory/hako/c1/memory.soft_limit_in_bytes"), "536870912\n");
  EXPECT_EQ(fs.read("memory/hako/c1/memory.swappiness"), "10\n");
  EXPECT_EQ(fs.read("memory/hako/c1/memory.oom_control"), "1\n");
  EXPECT_EQ(fs.read("memory/hako/c1/memory.kmem.limit_in_bytes"), "");
  EXPECT_EQ(fs.read("cpu/hako/c1/cpu.shares"), "512\n");
  EXPECT_EQ(fs.read("cpu/hako/c1/cpu.cfs_period_us"), "100000\n");
  EXPECT_EQ(fs.read("cpu/hako/c1/cpu.cfs_burst_us"), "1000\n");
  EXPECT_EQ(fs.read("cpu/hako/c1/cpu.cfs_quota_us"), "50000\n");
  EXPECT_EQ(fs.read("cpu/hako/c1/cpu.idle"), "0\n");
  EXPECT_EQ(fs.read("cpu/hako/c1/cpu.rt_runtime_us"), "");
  EXPECT_EQ(fs.read("pids/hako/c1/pids.max"), "max\n");
  EXPECT_EQ(fs.read("blkio/hako/c1/blkio.throttle.read_bps_device"), "8:0 1048576\n8:16 2097152\n");
  EXPECT_EQ(fs.read("blkio/hako/c1/blkio.throttle.write_iops_device"), "8:0 100\n");
  EXPECT_EQ(fs.read("blkio/hako/c1/blkio.throttle.write_bps_device"), "");
  // The spec starts with its own deny-all, so no extra "a" goes first; then the rules in order.
  EXPECT_EQ(fs.read("devices/hako/c1/devices.deny"), "a\n");
  EXPECT_EQ(fs.read("devices/hako/c1/devices.allow"), "c 1:3 rwm\nc 136:* rw\n");
  // cpuset: every empty level gets its parent's cpus and mems, then the spec's cpus.
  EXPECT_EQ(fs.read("cpuset/hako/cpuset.cpus"), "0-3\n");
  EXPECT_EQ(fs.read("cpuset/hako/cpuset.mems"), "0\n");
  EXPECT_EQ(fs.read("cpuset/hako/c1/cpuset.cpus"), "0-3\n1\n");
  EXPECT_EQ(fs.read("cpuset/hako/c1/cpuset.mems"), "0\n");
  // Nothing is added yet.
  EXPECT_EQ(fs.read("memory/hako/c1/cgroup.procs"), "");

  ASSERT_EQ(m->paths().size(), 9u);
  EXPECT_EQ(m->paths()[0], (CgroupDir{"cpu", fs.path("cpu/hako/c1"), 2}));
  EXPECT_EQ(m->paths()[8], (CgroupDir{"name=systemd", fs.path("systemd/hako/c1"), 2}));
  EXPECT_EQ(m->clone_into_fd(), -1);
}

TEST(ManagerV1, DevicesWithoutRulesDenyEverything) {
  V1Host host;
  auto m = Manager::create(host.layout, default_path(), oci::Resources{});
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(host.fs.read("devices/hako/c1/devices.deny"), "a\n");
  EXPECT_EQ(host.fs.read("devices/hako/c1/devices.allow"), "");
}

TEST(ManagerV1, DevicesAllowDenySequence) {
  V1Host host;
  oci::Resources r;
  r.devices = {dev_rule(true, "c", 1, 5, "rwm"), dev_rule(false, "c", 1, 5, "w"),
               dev_rule(true, "a", std::nullopt, std::nullopt, "rwm"),
               dev_rule(false, "b", 8, std::nullopt, "m")};
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
  EXPECT_EQ(host.fs.read("devices/hako/c1/devices.deny"), "a\nc 1:5 w\nb 8:* m\n");
  EXPECT_EQ(host.fs.read("devices/hako/c1/devices.allow"), "c 1:5 rwm\na\n");
}

TEST(ManagerV1, SkipDevicesLeavesThemAlone) {
  V1Host host;
  CreateOptions o;
  o.skip_devices = true;
  ASSERT_TRUE(Manager::create(host.layout, default_path(), oci::Resources{}, o));
  EXPECT_EQ(host.fs.read("devices/hako/c1/devices.deny"), "");
}

TEST(ManagerV1, PidsZeroAndNegativeMeanMax) {
  for (int64_t limit : {int64_t{0}, int64_t{-1}, int64_t{-5}}) {
    V1Host host;
    oci::Resources r;
    r.pids_limit = limit;
    ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
    EXPECT_EQ(host.fs.read("pids/hako/c1/pids.max"), "max\n") << limit;
  }
  V1Host host;
  oci::Resources r;
  r.pids_limit = 64;
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
  EXPECT_EQ(host.fs.read("pids/hako/c1/pids.max"), "64\n");
}

TEST(ManagerV1, SwapWithoutSwapAccounting) {
  {
    V1Host host(/*memsw=*/false);
    oci::Resources r;
    r.memory.emplace();
    r.memory->limit = 1 << 30;
    r.memory->swap = 1 << 30;  // equal to the limit: no swap, nothing to enforce
    ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
    r.memory->swap = -1;
    ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
  }
  V1Host host(/*memsw=*/false);
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 30;
  r.memory->swap = int64_t{2} << 30;
  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(m.error().message().find("linux.resources.memory.swap: swap accounting is off"),
            std::string::npos)
      << m.error().message();
}

TEST(ManagerV1, SwapBelowLimitIsRefused) {
  V1Host host;
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = 2 << 20;
  r.memory->swap = 1 << 20;
  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(host.fs.read("memory/hako/c1/memory.limit_in_bytes"), "");
}

TEST(ManagerV1, KernelMemoryIsAClearError) {
  V1Host host;
  oci::Resources r;
  r.memory.emplace();
  r.memory->kernel = 64 << 20;
  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find(
                "linux.resources.memory.kernel: kernel memory limits are not supported"),
            std::string::npos)
      << m.error().message();
  EXPECT_EQ(host.fs.read("memory/hako/c1/memory.kmem.limit_in_bytes"), "");
}

TEST(ManagerV1, BlkioWeightNeedsAWeightFile) {
  {
    V1Host host;  // as on this machine without bfq: no blkio.weight, no blkio.bfq.weight
    oci::Resources r;
    r.block_io.emplace();
    r.block_io->weight = 500;
    auto m = Manager::create(host.layout, default_path(), r);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code(), ErrorCode::kNotImplemented);
    EXPECT_NE(m.error().message().find(
                  "linux.resources.blockIO.weight: the kernel offers no blkio weight here"),
              std::string::npos)
        << m.error().message();
  }
  {
    V1Host host;
    oci::Resources r;
    r.block_io.emplace();
    r.block_io->leaf_weight = 500;
    auto m = Manager::create(host.layout, default_path(), r);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message().find("linux.resources.blockIO.leafWeight"), std::string::npos);
  }
  V1Host host(true, /*bfq=*/true);
  oci::Resources r;
  r.block_io.emplace();
  r.block_io->weight = 500;
  oci::WeightDevice wd;
  wd.major = 8;
  wd.minor = 0;
  wd.weight = 300;
  r.block_io->weight_device = {wd};
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
  EXPECT_EQ(host.fs.read("blkio/hako/c1/blkio.bfq.weight"), "500\n");
  EXPECT_EQ(host.fs.read("blkio/hako/c1/blkio.bfq.weight_device"), "8:0 300\n");
}

TEST(ManagerV1, MissingKernelFileNamesTheField) {
  V1Host host;
  ASSERT_TRUE(sys::remove_all(host.fs.path("cpu/hako/c1/cpu.idle")));
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->idle = 1;
  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), ErrorCode::kNotImplemented);
  EXPECT_EQ(m.error().message(), "linux.resources.cpu.idle: this kernel offers no cpu.idle in " +
                                     host.fs.path("cpu/hako/c1"));
}

TEST(ManagerV1, UnmountedControllersAreClearErrors) {
  V1Host host;
  oci::Resources r;
  r.hugepage_limits = {{"2MB", 1 << 21}};
  auto m = Manager::create(host.layout, default_path(), r);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("the hugetlb controller is not available"), std::string::npos)
      << m.error().message();

  oci::Resources n;
  n.network.emplace();
  n.network->class_id = 0x100001;
  auto net = Manager::create(host.layout, default_path(), n);
  ASSERT_FALSE(net);
  EXPECT_NE(
      net.error().message().find("linux.resources.network.classID: the net_cls (v1) controller"),
      std::string::npos)
      << net.error().message();

  oci::Resources u;
  u.unified["memory.high"] = "1";
  auto unified = Manager::create(host.layout, default_path(), u);
  ASSERT_FALSE(unified);
  EXPECT_NE(unified.error().message().find("cgroup v2 is not mounted"), std::string::npos);
}

TEST(ManagerV1, HugetlbOnItsOwnV1Mount) {
  V1Host host;
  host.layout.hierarchies.push_back(host.fs.v1("hugetlb", {"hugetlb"}));
  host.fs.files("hugetlb/hako/c1",
                {"cgroup.procs", "hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes"});
  oci::Resources r;
  r.hugepage_limits = {{"2MB", 4 << 21}};
  ASSERT_TRUE(Manager::create(host.layout, default_path(), r));
  EXPECT_EQ(host.fs.read("hugetlb/hako/c1/hugetlb.2MB.limit_in_bytes"), "8388608\n");
  EXPECT_EQ(host.fs.read("hugetlb/hako/c1/hugetlb.2MB.rsvd.limit_in_bytes"), "8388608\n");
}

}  // namespace
}  // namespace hako::cgroup
