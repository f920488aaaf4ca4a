#include "json/reader.h"

#include <gtest/gtest.h>

namespace hako::json {
namespace {

TEST(JsonReader, MalformedNamesTheSource) {
  auto r = parse("{\"a\":", "config.json");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("config.json: malformed json"), std::string::npos);
}

TEST(JsonReader, TypeErrorsNameThePath) {
  auto v = *parse(R"({"memory": {"limit": "lots"}})", "t");
  int64_t limit = 0;
  auto s = read_field(v["memory"], "linux.resources.memory", "limit", limit);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "linux.resources.memory.limit: expected integer");
}

TEST(JsonReader, ArraysIndexThePath) {
  auto v = *parse(R"({"args": ["sh", 3]})", "t");
  std::vector<std::string> args;
  auto s = read_field(v, "process", "args", args);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "process.args[1]: expected string");
}

TEST(JsonReader, AbsentAndNullLeaveDefaults) {
  auto v = *parse(R"({"a": null})", "t");
  int64_t a = 7, b = 9;
  EXPECT_TRUE(read_field(v, "", "a", a));
  EXPECT_TRUE(read_field(v, "", "b", b));
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 9);
  std::string req;
  EXPECT_EQ(read_required(v, "x", "a", req).error().message(), "x.a: required");
}

TEST(JsonReader, RangeChecks) {
  auto v = *parse(R"({"u": -1, "n": 5000000000})", "t");
  uint32_t u = 0, n = 0;
  EXPECT_FALSE(read_field(v, "", "u", u));
  EXPECT_FALSE(read_field(v, "", "n", n));
}

TEST(JsonReader, OptionalListDistinguishesAbsentFromEmpty) {
  auto v = *parse(R"({"cmd": [], "bad": [1]})", "t");
  std::optional<std::vector<std::string>> cmd, entrypoint, bad;
  EXPECT_TRUE(read_field(v, "", "cmd", cmd));
  EXPECT_TRUE(read_field(v, "", "entrypoint", entrypoint));
  ASSERT_TRUE(cmd.has_value());
  EXPECT_TRUE(cmd->empty());
  EXPECT_FALSE(entrypoint.has_value());
  EXPECT_EQ(read_field(v, "", "bad", bad).error().message(), "bad[0]: expected string");
}

}  // namespace
}  // namespace hako::json
