#include "oci/digest.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace hako::oci {
namespace {

const std::string kHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, ParsesSha256AndSha512) {
  auto d = Digest::parse("sha256:" + kHex);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->algorithm(), "sha256");
  EXPECT_EQ(d->hex(), kHex);
  EXPECT_EQ(d->to_string(), "sha256:" + kHex);
  EXPECT_TRUE(Digest::parse("sha512:" + kHex + kHex));
}

TEST(Digest, RejectsMalformed) {
  for (std::string s :
       {std::string("sha256:xyz"), "sha256:" + kHex.substr(1), "sha256:" + kHex + "0",
        "SHA256:" + kHex, "sha256:" + std::string(64, 'A'), "md5:" + kHex, kHex, std::string(""),
        std::string(":"), "sha512:" + kHex, "sha256:" + kHex.substr(0, 63) + "/"}) {
    EXPECT_FALSE(Digest::parse(s)) << s;
  }
  auto d = Digest::parse("sha256:xyz");
  EXPECT_EQ(d.error().message(), "invalid digest \"sha256:xyz\": want 64 hex digits, got 3");
}

TEST(Digest, ComparesAndHashes) {
  auto a = *Digest::parse("sha256:" + kHex);
  auto b = *Digest::parse("sha256:" + std::string(64, '0'));
  EXPECT_EQ(a, *Digest::from_parts("sha256", kHex));
  EXPECT_NE(a, b);
  EXPECT_LT(b, a);
  std::unordered_set<Digest> set{a, b, a};
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(Digest().empty());
}

}  // namespace
}  // namespace hako::oci
