#include "engine/userns_remap.h"

#include <gtest/gtest.h>

namespace hako::engine {
namespace {

TEST(UsernsRemap, SettingFromHakoJson) {
  EXPECT_EQ(*parse_userns_remap("{}", "hako.json"), "");
  EXPECT_EQ(*parse_userns_remap(R"({"userns-remap": "default"})", "hako.json"), "default");
  auto bad = parse_userns_remap(R"({"userns-remap": 3})", "hako.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("userns-remap"), std::string::npos);
}

TEST(UsernsRemap, RangesOfTheNamedEntryLowestFirst) {
  const char* text = "other:100000:65536\nbob:300000:1000\nbadline\nbob:200000:70000\n";
  auto r = find_subid_ranges(text, {"bob"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], std::pair(200000u, 70000u));
  EXPECT_EQ(r[1], std::pair(300000u, 1000u));
  EXPECT_TRUE(find_subid_ranges(text, {"alice"}).empty());
  EXPECT_EQ(find_subid_ranges("1234:5:6\nbob:20:1\n", {"bob", "1234"}).size(), 2u);
  // From 0 (the host's root) or past 2^32: never used.
  EXPECT_TRUE(find_subid_ranges("bob:0:65536\n", {"bob"}).empty());
  EXPECT_TRUE(find_subid_ranges("bob:4294967000:65536\n", {"bob"}).empty());
  EXPECT_EQ(find_subid_ranges("bob:0:10\nbob:100:10\n", {"bob"}).size(), 1u);
  // A range overlapping a lower one (listed by name and by number) would make uid_map fail.
  auto dup = find_subid_ranges("bob:100:10\n1234:105:10\n1234:110:5\n", {"bob", "1234"});
  ASSERT_EQ(dup.size(), 2u);
  EXPECT_EQ(dup[1], std::pair(110u, 5u));
  // At most kMaxRemapRanges.
  std::string many;
  for (int i = 1; i <= 8; ++i) many += "bob:" + std::to_string(i * 1000) + ":10\n";
  EXPECT_EQ(find_subid_ranges(many, {"bob"}).size(), kMaxRemapRanges);
}

TEST(UsernsRemap, RangesChainFromContainerIdZero) {
  auto m = chain_ranges({{300000, 1000}, {200000, 500}, {400000, 70000}});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].container, 0u);
  EXPECT_EQ(m[0].host, 300000u);
  EXPECT_EQ(m[1].container, 1000u);
  EXPECT_EQ(m[1].host, 200000u);
  EXPECT_EQ(m[2].container, 1500u);
  EXPECT_EQ(m[2].size, kMaxRemapIds - 1500);  // 65536 ids in all
  EXPECT_EQ(chain_ranges({{100000, 65536}, {300000, 65536}}).size(), 1u);
}

TEST(UsernsRemap, MapsCappedAndGroupSeparate) {
  auto r = remap_from("bob:staff", "bob:200000:70000\n", "staff:400000:65536\n");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->uids.size(), 1u);
  EXPECT_EQ(r->uid_to_host(0), 200000u);
  EXPECT_EQ(r->uid_count(), 65536u);  // capped
  EXPECT_EQ(r->gid_to_host(0), 400000u);
  EXPECT_EQ(r->uid_to_container(200005), 5u);
  EXPECT_EQ(r->uid_to_container(0), archive::IdRemap::kOverflowId);
  EXPECT_EQ(r->gid_to_host(7), 400007u);
}

TEST(UsernsRemap, MultipleRangesMapBothWays) {
  auto r = remap_from("bob", "bob:300000:100\nbob:200000:1000\n", "bob:500000:65536\n");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->uids.size(), 2u);
  EXPECT_EQ(r->uid_count(), 1100u);
  EXPECT_EQ(r->uid_to_host(0), 200000u);  // root: the lowest range's first id
  EXPECT_EQ(r->uid_to_host(999), 200999u);
  EXPECT_EQ(r->uid_to_host(1000), 300000u);  // on into the next range
  EXPECT_EQ(r->uid_to_host(1099), 300099u);
  EXPECT_EQ(r->uid_to_host(1100), archive::IdRemap::kOverflowId);
  EXPECT_EQ(r->uid_to_container(300050), 1050u);
  EXPECT_EQ(r->uid_to_container(200500), 500u);
  EXPECT_EQ(r->uid_to_container(250000), archive::IdRemap::kOverflowId);
  EXPECT_EQ(r->gid_count(), 65536u);
}

TEST(UsernsRemap, MissingRangeSaysWhatToAdd) {
  auto r = remap_from("default", "", "");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("/etc/subuid"), std::string::npos);
  EXPECT_NE(r.error().message().find("hako:100000:65536"), std::string::npos);
}

TEST(UsernsRemap, ModesAndRefusedCombinations) {
  auto host = container_remap({{"UsernsMode", "host"}}, "default");
  ASSERT_TRUE(host);
  EXPECT_FALSE(*host);
  auto off = container_remap(nlohmann::json::object(), "");
  ASSERT_TRUE(off);
  EXPECT_FALSE(*off);
  EXPECT_FALSE(container_remap({{"UsernsMode", "bogus"}}, ""));
  for (const auto& hc :
       {nlohmann::json{{"Privileged", true}}, nlohmann::json{{"NetworkMode", "host"}},
        nlohmann::json{{"PidMode", "host"}}}) {
    auto r = container_remap(hc, "default");
    ASSERT_FALSE(r) << hc.dump();
    EXPECT_NE(r.error().message().find("--userns=host"), std::string::npos);
  }
}

TEST(UsernsRemap, DefinitionRoundTrip) {
  archive::IdRemap r;
  r.uids = {{0, 100000, 10}, {10, 300000, 5}};
  r.gids = {{0, 200000, 15}};
  auto back = remap_of_definition({{"IdRemap", remap_to_json(r)}});
  ASSERT_TRUE(back);
  ASSERT_EQ(back->uids.size(), 2u);
  EXPECT_EQ(back->uids[1].container, 10u);
  EXPECT_EQ(back->uids[1].host, 300000u);
  EXPECT_EQ(back->uids[1].size, 5u);
  EXPECT_EQ(back->gid_count(), 15u);
  EXPECT_FALSE(remap_of_definition(nlohmann::json::object()));
  // A definition written when hako mapped one range.
  auto old = remap_of_definition(
      {{"IdRemap", {{"UidHost", 1}, {"UidSize", 2}, {"GidHost", 3}, {"GidSize", 4}}}});
  ASSERT_TRUE(old);
  EXPECT_EQ(old->uid_to_host(1), 2u);
  EXPECT_EQ(old->gid_count(), 4u);
}

}  // namespace
}  // namespace hako::engine
