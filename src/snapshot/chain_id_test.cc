#include "snapshot/chain_id.h"

#include <gtest/gtest.h>

namespace hako::snapshot {
namespace {

oci::Digest d(char c) { return *oci::Digest::from_parts("sha256", std::string(64, c)); }

// Expected values from the shell:
//   printf 'sha256:aaa…a sha256:bbb…b' | sha256sum
//   printf 'sha256:<that> sha256:ccc…c' | sha256sum
constexpr const char* kAB =
    "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c";
constexpr const char* kABC =
    "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b40a36e52d4c40588";

TEST(ChainId, BottomLayerIsItsDiffId) { EXPECT_EQ(chain_id(std::nullopt, d('a')), d('a')); }

TEST(ChainId, KnownVectors) {
  EXPECT_EQ(chain_id(d('a'), d('b')).to_string(), kAB);
  EXPECT_EQ(chain_id(*oci::Digest::parse(kAB), d('c')).to_string(), kABC);
}

TEST(ChainId, ChainIdsOfAStack) {
  auto ids = chain_ids({d('a'), d('b'), d('c')});
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], d('a'));
  EXPECT_EQ(ids[1].to_string(), kAB);
  EXPECT_EQ(ids[2].to_string(), kABC);
  EXPECT_TRUE(chain_ids({}).empty());
}

TEST(ChainId, OrderMatters) { EXPECT_NE(chain_id(d('a'), d('b')), chain_id(d('b'), d('a'))); }

}  // namespace
}  // namespace hako::snapshot
