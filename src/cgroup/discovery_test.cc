#include <gtest/gtest.h>

#include "cgroup/layout.h"

namespace hako::cgroup {
namespace {

// This development machine: v1 controllers one per mount (cpu and cpuacct apart), name=systemd,
// and cgroup2 at /sys/fs/cgroup/unified holding only hugetlb.
constexpr const char* kHybridMountinfo = R"(22 1 254:0 / / rw,relatime - ext4 /dev/vda rw
23 22 0:5 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
)";
constexpr const char* kHybridCgroup = R"(9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/d1de
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
)";

// A classic systemd v1 host: co-mounted cpu,cpuacct and net_cls,net_prio, hugetlb on v1, no
// cgroup2.
constexpr const char* kV1Mountinfo =
    R"(25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
30 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio
31 25 0:28 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,hugetlb
32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory
33 25 0:30 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,cpuset,clone_children
)";
constexpr const char* kV1Cgroup = R"(11:cpuset:/
7:memory:/user.slice/user-1000.slice/session-2.scope
6:hugetlb:/
5:rdma:/
4:net_cls,net_prio:/
3:cpu,cpuacct:/user.slice
1:name=systemd:/user.slice/user-1000.slice/session-2.scope
0::/user.slice/user-1000.slice/session-2.scope
)";

constexpr const char* kV2Mountinfo =
    "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";
constexpr const char* kV2Cgroup = "0::/user.slice/user-1000.slice/session-3.scope\n";

TEST(Discovery, HybridAsOnThisMachine) {
  auto layout = parse_layout(kHybridMountinfo, kHybridCgroup);
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_EQ(layout->mode, Mode::kHybrid);
  ASSERT_EQ(layout->hierarchies.size(), 10u);
  // In id order, cgroup2 last.
  EXPECT_EQ(layout->hierarchies[0].key(), "cpu");
  EXPECT_EQ(layout->hierarchies[8].key(), "name=systemd");
  EXPECT_TRUE(layout->hierarchies[9].is_v2);
  const Hierarchy* mem = layout->find_v1("memory");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(mem->mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(mem->own_path, "/process_api/d1de");
  EXPECT_EQ(layout->find_v1("cpuacct")->mount_point, "/sys/fs/cgroup/cpuacct");
  EXPECT_EQ(layout->find_v1("hugetlb"), nullptr);  // it is on cgroup2 here
  ASSERT_NE(layout->find_v2(), nullptr);
  EXPECT_EQ(layout->find_v2()->mount_point, "/sys/fs/cgroup/unified");
  EXPECT_EQ(layout->find_v2()->key(), "");
}

TEST(Discovery, PureV1WithCoMountedControllers) {
  auto layout = parse_layout(kV1Mountinfo, kV1Cgroup);
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_EQ(layout->mode, Mode::kV1);
  EXPECT_EQ(layout->find_v2(), nullptr);
  // rdma is listed in /proc/self/cgroup but mounted nowhere: left out.
  EXPECT_EQ(layout->find_v1("rdma"), nullptr);
  EXPECT_EQ(layout->hierarchies.size(), 6u);
  const Hierarchy* cpu = layout->find_v1("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu, layout->find_v1("cpuacct"));
  EXPECT_EQ(cpu->key(), "cpu,cpuacct");
  EXPECT_EQ(cpu->mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(cpu->own_path, "/user.slice");
  EXPECT_EQ(layout->find_v1("hugetlb")->mount_point, "/sys/fs/cgroup/hugetlb");
  EXPECT_EQ(layout->find_v1("net_prio")->key(), "net_cls,net_prio");
  // Flags among the super options (xattr, release_agent=..., clone_children) are not controllers.
  EXPECT_EQ(layout->find_v1("name=systemd")->mount_point, "/sys/fs/cgroup/systemd");
  EXPECT_EQ(layout->find_v1("cpuset")->key(), "cpuset");
}

TEST(Discovery, PureV2) {
  auto layout = parse_layout(kV2Mountinfo, kV2Cgroup);
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_EQ(layout->mode, Mode::kV2);
  ASSERT_EQ(layout->hierarchies.size(), 1u);
  EXPECT_EQ(layout->hierarchies[0].mount_point, "/sys/fs/cgroup");
  EXPECT_EQ(layout->hierarchies[0].own_path, "/user.slice/user-1000.slice/session-3.scope");
}

TEST(Discovery, V2WithOnlyANamedV1HierarchyIsV2) {
  std::string mi =
      std::string(kV2Mountinfo) +
      "40 30 0:40 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n";
  auto layout = parse_layout(mi, "1:name=systemd:/\n0::/\n");
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_EQ(layout->mode, Mode::kV2);
  EXPECT_EQ(layout->hierarchies.size(), 2u);
}

TEST(Discovery, PrefersTheMountOfTheWholeHierarchy) {
  // The memory hierarchy is also bind-mounted from a subtree; the "/" mount wins.
  std::string mi =
      "50 31 0:32 /docker/abc /var/lib/x/memory rw - cgroup cgroup rw,memory\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  auto layout = parse_layout(mi, "4:memory:/docker/abc\n");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->find_v1("memory")->mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(layout->find_v1("memory")->mount_root, "/");
}

TEST(Discovery, NestedContainerSeesASubtree) {
  std::string mi = "50 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  auto layout = parse_layout(mi, "4:memory:/docker/abc/inner\n");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->find_v1("memory")->mount_root, "/docker/abc");
  EXPECT_EQ(layout->find_v1("memory")->own_path, "/docker/abc/inner");
}

TEST(Discovery, UnescapesMountPoints) {
  std::string mi = "35 31 0:32 / /mnt/my\\040cgroups rw - cgroup cgroup rw,memory\n";
  auto layout = parse_layout(mi, "4:memory:/\n");
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->find_v1("memory")->mount_point, "/mnt/my cgroups");
}

TEST(Discovery, Errors) {
  EXPECT_FALSE(parse_layout("", "0::/\n"));  // nothing mounted
  auto bad = parse_layout(kV2Mountinfo, "garbage\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("malformed /proc/self/cgroup line"), std::string::npos);
  EXPECT_FALSE(parse_layout("1 2 3 - cgroup2\n", kV2Cgroup));
}

TEST(Discovery, LiveHostParses) {
  // Whatever this host has, discovery must make sense of it (no root needed).
  auto layout = discover_layout();
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_FALSE(layout->hierarchies.empty());
}

}  // namespace
}  // namespace hako::cgroup
