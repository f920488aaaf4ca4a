#include "engine/top.h"

#include <gtest/gtest.h>

namespace hako::engine {
namespace {

TEST(ParsePsTable, LastColumnKeepsItsSpaces) {
  TopTable t = parse_ps_table(
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root       30894   30872  6 01:23 ?        00:00:00 sh -c sleep 1000 & sleep 1001\n"
      "root       30924   30894  0 01:23 ?        00:00:00 sleep 1000\n");
  ASSERT_EQ(t.titles.size(), 8u);
  EXPECT_EQ(t.titles[7], "CMD");
  ASSERT_EQ(t.processes.size(), 2u);
  EXPECT_EQ(t.processes[0][1], "30894");
  EXPECT_EQ(t.processes[0][7], "sh -c sleep 1000 & sleep 1001");
  EXPECT_EQ(t.processes[1].size(), 8u);
}

TEST(ParsePsTable, EmptyText) {
  TopTable t = parse_ps_table("");
  EXPECT_TRUE(t.titles.empty());
  EXPECT_TRUE(t.processes.empty());
}

}  // namespace
}  // namespace hako::engine
