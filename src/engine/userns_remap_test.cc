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

TEST(UsernsRemap, LowestRangeOfTheNamedEntry) {
  const char* text = "other:100000:65536\nbob:300000:1000\nbadline\nbob:200000:70000\n";
  auto r = find_subid_range(text, {"bob"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 200000u);
  EXPECT_EQ(r->second, 70000u);
  EXPECT_FALSE(find_subid_range(text, {"alice"}));
  EXPECT_TRUE(find_subid_range("1234:5:6\n", {"bob", "1234"}));
  // From 0 (the host's root) or past 2^32: never used.
  EXPECT_FALSE(find_subid_range("bob:0:65536\n", {"bob"}));
  EXPECT_FALSE(find_subid_range("bob:4294967000:65536\n", {"bob"}));
}

TEST(UsernsRemap, MapsCappedAndGroupSeparate) {
  auto r = remap_from("bob:staff", "bob:200000:70000\n", "staff:400000:65536\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->uid_host, 200000u);
  EXPECT_EQ(r->uid_size, 65536u);  // capped
  EXPECT_EQ(r->gid_host, 400000u);
  EXPECT_EQ(r->uid_to_container(200005), 5u);
  EXPECT_EQ(r->uid_to_container(0), archive::IdRemap::kOverflowId);
  EXPECT_EQ(r->gid_to_host(7), 400007u);
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
  archive::IdRemap r{1, 2, 3, 4};
  auto back = remap_of_definition({{"IdRemap", remap_to_json(r)}});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->gid_size, 4u);
  EXPECT_FALSE(remap_of_definition(nlohmann::json::object()));
}

}  // namespace
}  // namespace hako::engine
