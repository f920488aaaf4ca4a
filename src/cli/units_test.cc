#include "cli/units.h"

#include <gtest/gtest.h>

namespace hako::cli {
namespace {

TEST(Units, HumanSizeMatchesDockerUnits) {
  EXPECT_EQ(human_size(0), "0B");
  EXPECT_EQ(human_size(999), "999B");
  EXPECT_EQ(human_size(4260), "4.26kB");
  EXPECT_EQ(human_size(1'240'000), "1.24MB");
  EXPECT_EQ(human_size(72'800'000), "72.8MB");
  EXPECT_EQ(human_size(1'200'000'000), "1.2GB");
}

TEST(Units, HumanDurationMatchesDocker) {
  EXPECT_EQ(human_duration(0), "Less than a second");
  EXPECT_EQ(human_duration(1), "1 second");
  EXPECT_EQ(human_duration(59), "59 seconds");
  EXPECT_EQ(human_duration(60), "About a minute");
  EXPECT_EQ(human_duration(47 * 60), "47 minutes");
  EXPECT_EQ(human_duration(3600), "About an hour");
  EXPECT_EQ(human_duration(5 * 3600), "5 hours");
  EXPECT_EQ(human_duration(3 * 86400), "3 days");
  EXPECT_EQ(human_duration(20 * 86400), "2 weeks");
  EXPECT_EQ(human_duration(90 * 86400), "3 months");
  EXPECT_EQ(human_duration(800 * 86400), "2 years");
}

TEST(Units, Rfc3339) {
  EXPECT_EQ(parse_rfc3339("2000-01-01T00:00:00Z"), 946684800);
  EXPECT_EQ(parse_rfc3339("2000-01-01T01:00:00.123456789+01:00"), 946684800);
  EXPECT_EQ(parse_rfc3339("yesterday"), std::nullopt);
  EXPECT_EQ(time_ago(std::nullopt, 0), "N/A");
  EXPECT_EQ(format_created_at(946684800), "2000-01-01 00:00:00 +0000 UTC");
}

}  // namespace
}  // namespace hako::cli
