// Go durations, runc's stats JSON shape, and ps output filtering.
#include "runtime/events.h"

#include <gtest/gtest.h>

#include "runtime/ps.h"

namespace hako::runtime {
namespace {

using std::chrono::nanoseconds;

TEST(Events, GoDurations) {
  EXPECT_EQ(*parse_go_duration("5s"), std::chrono::seconds(5));
  EXPECT_EQ(*parse_go_duration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(*parse_go_duration("1m30s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_go_duration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(*parse_go_duration("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(*parse_go_duration("2h"), std::chrono::hours(2));
  EXPECT_EQ(*parse_go_duration("100ns"), nanoseconds(100));
  for (const char* bad : {"", "5", "s", "5x", "0s", "-1s", "1..5s", "5s3"}) {
    auto r = parse_go_duration(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find("--interval"), std::string::npos);
  }
}

TEST(Events, StatsJsonHasRuncFieldNamesAndOmitsEmptyOnes) {
  cgroup::Stats s;
  s.cpu.total = 10;
  s.cpu.percpu = {6, 4};
  s.cpu.throttled_periods = 2;
  s.memory.usage = {100, 50, 70, 0};
  s.memory.raw["rss"] = 5;
  s.pids.current = 3;
  s.blkio.service_bytes = {{8, 0, "Read", 4096}};
  s.hugetlb["2MB"] = {};
  json::Value v = stats_json(s);
  EXPECT_EQ(v["cpu"]["usage"],
            json::Value::parse(R"({"total":10,"percpu":[6,4],"kernel":0,"user":0})"));
  EXPECT_EQ(v["cpu"]["throttling"], json::Value::parse(R"({"throttledPeriods":2})"));
  EXPECT_EQ(v["memory"]["usage"],
            json::Value::parse(R"({"limit":100,"usage":50,"max":70,"failcnt":0})"));
  // A zero entry keeps limit and failcnt, which runc does not omit.
  EXPECT_EQ(v["memory"]["swap"], json::Value::parse(R"({"limit":0,"failcnt":0})"));
  EXPECT_FALSE(v["memory"].contains("cache"));
  EXPECT_EQ(v["memory"]["raw"]["rss"], 5);
  EXPECT_EQ(v["pids"], json::Value::parse(R"({"current":3})"));
  EXPECT_EQ(
      v["blkio"],
      json::Value::parse(R"({"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":4096}]})"));
  EXPECT_EQ(v["hugetlb"], json::Value::parse(R"({"2MB":{"failcnt":0}})"));
  EXPECT_TRUE(v["network_interfaces"].is_null());
}

TEST(Ps, KeepsTheHeaderAndTheContainersRows) {
  const char* out =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
      "root         420       1  0 10:00 ?        00:00:00 sleep inf\n"
      "root        4200       1  0 10:00 ?        00:00:00 sleep 420\n";
  auto r = filter_ps_output(out, {420});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(*r,
            "UID          PID    PPID  C STIME TTY          TIME CMD\n"
            "root         420       1  0 10:00 ?        00:00:00 sleep inf\n");
  auto no_pid = filter_ps_output("COMMAND\nsleep\n", {420});
  ASSERT_FALSE(no_pid);
  EXPECT_NE(no_pid.error().message().find("PID column"), std::string::npos);
}

}  // namespace
}  // namespace hako::runtime
