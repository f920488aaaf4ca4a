#include "engine/log_time.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

namespace hako::engine {
namespace {

constexpr int64_t kS = 1'000'000'000;
// 2026-12-01T10:00:00Z
constexpr int64_t kDec1 = 1796119200;

class ZoneGuard {
 public:
  explicit ZoneGuard(const char* tz) {
    const char* old = ::getenv("TZ");
    if (old) old_ = old;
    had_ = old != nullptr;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ZoneGuard() {
    if (had_) {
      ::setenv("TZ", old_.c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::string old_;
  bool had_ = false;
};

int64_t parse(std::string_view v, int64_t now = kDec1 * kS + 123) {
  auto r = parse_log_time(v, now);
  EXPECT_TRUE(r) << v << ": " << r.error().message();
  return r ? *r : -1;
}

TEST(LogTime, Durations) {
  int64_t now = kDec1 * kS + 700'000'000;
  EXPECT_EQ(parse("10m", now), (kDec1 - 600) * kS);  // whole seconds, as Docker
  EXPECT_EQ(parse("1h30m", now), (kDec1 - 5400) * kS);
  EXPECT_EQ(parse("1.5h", now), (kDec1 - 5400) * kS);
  EXPECT_EQ(parse("-5s", now), (kDec1 + 5) * kS);
  EXPECT_EQ(parse("300ms", now), kDec1 * kS);
  EXPECT_EQ(parse("2h45m10.5s", now), (kDec1 - 9910) * kS);
  EXPECT_EQ(parse("1us", now), kDec1 * kS);
}

TEST(LogTime, UnixTimestamps) {
  EXPECT_EQ(parse("0"), 0);  // "0" is the epoch, not a zero duration
  EXPECT_EQ(parse("1700000000"), 1700000000 * kS);
  EXPECT_EQ(parse("1700000000.5"), 1700000000 * kS + 500'000'000);
  EXPECT_EQ(parse("1700000000.000000001"), 1700000000 * kS + 1);
  EXPECT_EQ(parse("1700000000.05"), 1700000000 * kS + 50'000'000);
}

TEST(LogTime, Rfc3339Forms) {
  ZoneGuard utc("UTC");
  EXPECT_EQ(parse("2026-12-01T10:00:00Z"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T10:00:00.123456789Z"), kDec1 * kS + 123456789);
  EXPECT_EQ(parse("2026-12-01T10:00:00.5Z"), kDec1 * kS + 500'000'000);
  EXPECT_EQ(parse("2026-12-01T12:00:00+02:00"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T05:30:00-04:30"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T10:00:00"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T10:00"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T10"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T10Z"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01"), (kDec1 - 36000) * kS);
  EXPECT_EQ(parse("2026-12-01Z"), (kDec1 - 36000) * kS);
  EXPECT_EQ(parse("2024-02-29T00:00:00Z"), 1709164800 * kS);
  EXPECT_EQ(parse("1969-12-31T23:59:59Z"), -kS);
}

TEST(LogTime, ZonelessIsLocal) {
  ZoneGuard plus2("XYZ-2");  // POSIX TZ: two hours east of UTC
  EXPECT_EQ(parse("2026-12-01T12:00:00"), kDec1 * kS);
  EXPECT_EQ(parse("2026-12-01T12:00:00Z"), (kDec1 + 7200) * kS);
}

TEST(LogTime, Errors) {
  for (const char* bad : {"", "abc", "10x", "1.2.3", "2026-13-01", "2026-02-29", "2026-12-01T25Z",
                          "2026-12-01T10:00:00+2", "2026-12-01T10:00:00.Z", "12-01-2026", "h",
                          "1700000000.", "2026-12-01 10:00:00"}) {
    auto r = parse_log_time(bad, kDec1 * kS);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().message().find("failed to parse value as time or duration"),
                std::string::npos);
    }
  }
}

TEST(LogTime, EntryTimes) {
  EXPECT_EQ(parse_rfc3339_ns("2026-12-01T10:00:00.123456789Z"), kDec1 * kS + 123456789);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-01T10:00:00Z"), kDec1 * kS);
  EXPECT_EQ(parse_rfc3339_ns("2026-12-01T11:00:00.1+01:00"), kDec1 * kS + 100'000'000);
  EXPECT_FALSE(parse_rfc3339_ns("2026-12-01T10:00:00"));
  EXPECT_FALSE(parse_rfc3339_ns("2026-12-01T10:00Z"));
  EXPECT_FALSE(parse_rfc3339_ns("2026-12-01"));
}

TEST(LogTime, FixedFormat) {
  EXPECT_EQ(format_rfc3339_nano_fixed(kDec1 * kS + 123456789), "2026-12-01T10:00:00.123456789Z");
  EXPECT_EQ(format_rfc3339_nano_fixed(kDec1 * kS), "2026-12-01T10:00:00.000000000Z");
  EXPECT_EQ(format_rfc3339_nano_fixed(-1), "1969-12-31T23:59:59.999999999Z");
}

}  // namespace
}  // namespace hako::engine
