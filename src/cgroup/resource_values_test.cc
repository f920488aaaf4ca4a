#include <gtest/gtest.h>

#include "cgroup/resource_values.h"

namespace hako::cgroup {
namespace {

TEST(ResourceValues, PidsMax) {
  EXPECT_EQ(pids_max_value(-1), "max");
  EXPECT_EQ(pids_max_value(0), "max");
  EXPECT_EQ(pids_max_value(100), "100");
}

TEST(ResourceValues, SharesToWeightAsRunc) {
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);  // 1 + (1022 * 9999) / 262142
  EXPECT_EQ(cpu_shares_to_weight(512), 20u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1), 1u);  // clamped, not wrapped around
}

TEST(ResourceValues, BlkioWeightToIoWeight) {
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

TEST(ResourceValues, SwapToV2) {
  EXPECT_EQ(*memory_swap_to_v2(0, -1), -1);     // unlimited memory, swap unset: both unlimited
  EXPECT_EQ(*memory_swap_to_v2(0, 1000), 0);    // unset
  EXPECT_EQ(*memory_swap_to_v2(-1, 1000), -1);  // unlimited swap
  EXPECT_EQ(*memory_swap_to_v2(3000, 1000), 2000);
  EXPECT_EQ(*memory_swap_to_v2(1000, 1000), 0);  // no swap
  EXPECT_FALSE(memory_swap_to_v2(500, 1000));    // memory+swap below memory
  EXPECT_FALSE(memory_swap_to_v2(500, 0));       // swap without a memory limit
  EXPECT_EQ(v2_limit_value(-1), "max");
  EXPECT_EQ(v2_limit_value(4096), "4096");
}

TEST(ResourceValues, KernelMemoryIsRefusedOnlyWhenSet) {
  oci::MemoryResources m;
  EXPECT_TRUE(reject_kernel_memory(m));
  m.kernel_tcp = 1 << 20;
  auto s = reject_kernel_memory(m);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kNotImplemented);
  EXPECT_NE(s.error().message().find("linux.resources.memory.kernelTCP"), std::string::npos);
  m.kernel = -1;
  EXPECT_NE(reject_kernel_memory(m).error().message().find("linux.resources.memory.kernel:"),
            std::string::npos);
}

TEST(ResourceValues, UnifiedKeys) {
  EXPECT_TRUE(check_unified_key("memory.high"));
  EXPECT_TRUE(check_unified_key("hugetlb.2MB.max"));
  EXPECT_TRUE(check_unified_key("cgroup.subtree_control"));
  EXPECT_FALSE(check_unified_key("../memory.max"));
  EXPECT_FALSE(check_unified_key("a/memory.max"));
  EXPECT_FALSE(check_unified_key("memory..max"));
  EXPECT_FALSE(check_unified_key(".."));
  EXPECT_FALSE(check_unified_key("memory"));
  EXPECT_FALSE(check_unified_key(".max"));
  EXPECT_FALSE(check_unified_key("cgroup.procs"));
  EXPECT_FALSE(check_unified_key("cgroup.kill"));
}

TEST(ResourceValues, PageSizes) {
  EXPECT_TRUE(check_page_size("2MB", "f"));
  EXPECT_FALSE(check_page_size("../2MB", "f"));
  EXPECT_FALSE(check_page_size("", "f"));
}

}  // namespace
}  // namespace hako::cgroup
