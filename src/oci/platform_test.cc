#include "oci/platform.h"

#include <gtest/gtest.h>

namespace hako::oci {
namespace {

std::string parsed(std::string_view s) {
  auto p = parse_platform(s);
  return p ? platform_string(*p) : "error: " + p.error().message();
}

TEST(Platform, ParsesAndNormalises) {
  EXPECT_EQ(parsed("linux/amd64"), "linux/amd64");
  EXPECT_EQ(parsed("linux/x86_64"), "linux/amd64");
  EXPECT_EQ(parsed("linux/amd64/v1"), "linux/amd64");
  EXPECT_EQ(parsed("linux/amd64/v3"), "linux/amd64/v3");
  EXPECT_EQ(parsed("linux/arm64/v8"), "linux/arm64");
  EXPECT_EQ(parsed("linux/aarch64"), "linux/arm64");
  EXPECT_EQ(parsed("linux/arm"), "linux/arm/v7");
  EXPECT_EQ(parsed("linux/armhf"), "linux/arm/v7");
  EXPECT_EQ(parsed("linux/arm/6"), "linux/arm/v6");
  EXPECT_EQ(parsed("Linux/I386"), "linux/386");
  EXPECT_EQ(parsed("arm64"), "linux/arm64");
  EXPECT_EQ(parsed("linux"), platform_string(host_platform()));
  EXPECT_EQ(parsed("linux/"), "error: invalid platform \"linux/\": empty component");
  EXPECT_EQ(parsed("plan10/amd64"),
            "error: invalid platform \"plan10/amd64\": unknown operating system \"plan10\"");
  EXPECT_FALSE(parse_platform("linux/amd64/v2/x"));
  EXPECT_FALSE(parse_platform(""));
}

TEST(Platform, HostIsNormalised) {
  Platform host = host_platform();
  EXPECT_EQ(host.os, "linux");
  EXPECT_EQ(normalize_platform(host), host);
#if defined(__x86_64__)
  EXPECT_EQ(platform_string(host), "linux/amd64");
#endif
}

TEST(Platform, RanksVariantsByCpuLevel) {
  Platform v7{.architecture = "arm", .os = "linux", .variant = "v7"};
  Platform v6{.architecture = "arm", .os = "linux", .variant = "v6"};
  Platform v8{.architecture = "arm", .os = "linux", .variant = "v8"};
  EXPECT_EQ(platform_rank(v7, v7), 0);
  EXPECT_EQ(platform_rank(v7, v6), 1);
  EXPECT_EQ(platform_rank(v7, v8), std::nullopt);
  Platform arm_default{.architecture = "arm", .os = "linux"};
  EXPECT_EQ(platform_rank(arm_default, v7), 0);
  Platform amd{.architecture = "amd64", .os = "linux"};
  Platform amd3{.architecture = "amd64", .os = "linux", .variant = "v3"};
  EXPECT_EQ(platform_rank(amd, amd3), std::nullopt);
  EXPECT_EQ(platform_rank(amd3, amd), 2);
  Platform arm64{.architecture = "arm64", .os = "linux"};
  EXPECT_EQ(
      platform_rank(arm64, Platform{.architecture = "aarch64", .os = "linux", .variant = "v8"}), 0);
  EXPECT_EQ(platform_rank(arm64, v7), std::nullopt);
  EXPECT_EQ(platform_rank(amd, Platform{.architecture = "amd64", .os = "windows"}), std::nullopt);
}

}  // namespace
}  // namespace hako::oci
