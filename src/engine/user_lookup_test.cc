#include "engine/user_lookup.h"

#include <gtest/gtest.h>

namespace hako::engine {
namespace {

const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment\n"
    "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
    "www:x:33:33:www:/var/www:/bin/false\n"
    "nobody:x:65534:65534:nobody:/home:/bin/false\n";
const char* kGroup =
    "root:x:0:\n"
    "wheel:x:10:root,www\n"
    "www:x:33:\n"
    "audio:x:29:www\n"
    "nogroup:x:65534:\n";

std::vector<uint32_t> gids(std::initializer_list<uint32_t> l) { return l; }

TEST(UserLookup, DefaultIsRootWithItsGroups) {
  auto u = resolve_user_from(kPasswd, kGroup, "", {});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->additional_gids, gids({0, 10}));
  EXPECT_EQ(u->home, "/root");
}

TEST(UserLookup, NameGivesPrimaryAndSupplementaryGroups) {
  auto u = resolve_user_from(kPasswd, kGroup, "www", {"audio", "1234"});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->uid, 33u);
  EXPECT_EQ(u->gid, 33u);
  EXPECT_EQ(u->additional_gids, gids({33, 10, 29, 29, 1234}));
  EXPECT_EQ(u->home, "/var/www");
}

TEST(UserLookup, ExplicitGroupDropsSupplementary) {
  auto u = resolve_user_from(kPasswd, kGroup, "www:nogroup", {});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->gid, 65534u);
  EXPECT_EQ(u->additional_gids, gids({65534}));
}

TEST(UserLookup, NumbersNeedNoFiles) {
  auto u = resolve_user_from("", "", "1000:1000", {});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1000u);
  EXPECT_EQ(u->additional_gids, gids({1000}));
  auto v = resolve_user_from("", "", "1000", {});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->gid, 0u);
  // A number that is in passwd takes its group.
  auto w = resolve_user_from(kPasswd, kGroup, "33", {});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->gid, 33u);
}

TEST(UserLookup, UnknownNamesAreDockersErrors) {
  auto u = resolve_user_from(kPasswd, kGroup, "foo", {});
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().message(), "unable to find user foo: no matching entries in passwd file");
  auto g = resolve_user_from(kPasswd, kGroup, "www:bar", {});
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().message(), "unable to find group bar: no matching entries in group file");
  auto a = resolve_user_from(kPasswd, "", "", {"audio"});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message(), "Unable to find group audio: no matching entries in group file");
  EXPECT_FALSE(resolve_user_from("", "", "99999999999", {}));
}

}  // namespace
}  // namespace hako::engine
