#include "registry/progress.h"

#include <gtest/gtest.h>

#include <vector>

namespace hako::registry {
namespace {

using namespace std::chrono_literals;

const oci::Digest kLayer =
    *oci::Digest::parse("sha256:a307d6a4d3f6b2e5c2f8e1f0c0ffee00112233445566778899aabbccddeeff00");

TEST(Progress, ShortIdIsTwelveHexDigits) { EXPECT_EQ(layer_short_id(kLayer), "a307d6a4d3f6"); }

TEST(Progress, ByteStatusesAreTheRepeatingOnes) {
  EXPECT_TRUE(is_byte_status("Downloading"));
  EXPECT_TRUE(is_byte_status("Extracting"));
  EXPECT_TRUE(is_byte_status("Pushing"));
  EXPECT_FALSE(is_byte_status("Pull complete"));
  EXPECT_FALSE(is_byte_status("Waiting"));
}

TEST(Progress, ReporterPassesEventsWithTheShortId) {
  std::vector<std::string> seen;
  ProgressFn fn = [&](const ProgressEvent& e) {
    seen.push_back(std::string(e.id) + " " + std::string(e.status) + " " +
                   std::to_string(e.current) + "/" + std::to_string(e.total));
  };
  ProgressReporter r(fn);
  EXPECT_TRUE(r.enabled());
  r.report(kLayer, "Pulling fs layer");
  r.report(kLayer, "Downloading", 5, 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"a307d6a4d3f6 Pulling fs layer 0/0",
                                            "a307d6a4d3f6 Downloading 5/10"}));
  ProgressFn none;
  ProgressReporter quiet(none);
  EXPECT_FALSE(quiet.enabled());
  quiet.report(kLayer, "Pull complete");  // no call, no crash
}

TEST(Progress, ByteProgressAtMostEvery100msAndEveryPercent) {
  ProgressFn none;
  ProgressReporter r(none);
  ByteProgress b(r, kLayer, "Downloading", 1000000);
  auto t0 = ByteProgress::Clock::time_point{} + 1h;
  EXPECT_TRUE(b.is_due(16384, t0));             // the first
  EXPECT_FALSE(b.is_due(32768, t0 + 50ms));     // too soon
  EXPECT_TRUE(b.is_due(49152, t0 + 100ms));     // 100 ms later, >= 1% more
  EXPECT_FALSE(b.is_due(50000, t0 + 300ms));    // late enough, but under 1% more
  EXPECT_TRUE(b.is_due(60000, t0 + 300ms));     // both
  EXPECT_TRUE(b.is_due(1000000, t0 + 310ms));   // the last byte, at once
  EXPECT_FALSE(b.is_due(1000000, t0 + 900ms));  // not twice
  EXPECT_TRUE(b.is_due(16384, t0 + 901ms));     // started over: shown at once
}

TEST(Progress, ByteProgressOfUnknownSizeIsTimeBound) {
  ProgressFn none;
  ProgressReporter r(none);
  ByteProgress b(r, kLayer, "Downloading", 0);
  auto t0 = ByteProgress::Clock::time_point{} + 1h;
  EXPECT_TRUE(b.is_due(1, t0));
  EXPECT_FALSE(b.is_due(2, t0 + 99ms));
  EXPECT_TRUE(b.is_due(3, t0 + 100ms));
}

}  // namespace
}  // namespace hako::registry
