#include "engine/stats.h"

#include <gtest/gtest.h>

namespace hako::engine {
namespace {

TEST(NetDevBytes, SumsInterfacesButLoopback) {
  auto [rx, tx] = net_dev_bytes(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo:    1000      10    0    0    0     0          0         0     1000      10    0 "
      "   0    0     0       0          0\n"
      "  eth0:    2048      20    0    0    0     0          0         0      512       5    0 "
      "   0    0     0       0          0\n"
      "  eth1:10       1    0    0    0     0          0         0       20       2    0    0    "
      "0     0       0          0\n");
  EXPECT_EQ(rx, 2058u);
  EXPECT_EQ(tx, 532u);
}

TEST(CpuPercent, DockersFormula) {
  StatsSample a, b;
  a.cpu_total_ns = 1'000'000'000;
  a.system_ns = 10'000'000'000;
  b.cpu_total_ns = 1'500'000'000;
  b.system_ns = 12'000'000'000;
  b.online_cpus = 2;
  EXPECT_DOUBLE_EQ(cpu_percent(a, b), 50.0);  // 0.5 s of 2 s, times 2 CPUs
  EXPECT_DOUBLE_EQ(cpu_percent(b, a), 0.0);
}

TEST(MemoryPercent, ZeroLimitIsZero) {
  StatsSample s;
  s.memory_usage = 50;
  EXPECT_DOUBLE_EQ(memory_percent(s), 0.0);
  s.memory_limit = 200;
  EXPECT_DOUBLE_EQ(memory_percent(s), 25.0);
}

}  // namespace
}  // namespace hako::engine
