#include "engine/container_filter.h"

#include <gtest/gtest.h>

namespace hako::engine {
namespace {

ContainerFacts facts(const std::string& name, const std::string& status, int created,
                     std::map<std::string, std::string> labels = {}, int exit_code = 0) {
  return {"ab" + name, name, std::move(labels), status, exit_code, "sha256:" + name, created};
}

bool match(const std::vector<std::string>& args, const ContainerFacts& c,
           const ResolvedRefs& refs = {}) {
  auto f = ContainerFilter::parse(args);
  EXPECT_TRUE(f.has_value()) << (f ? "" : f.error().message());
  return f && f->matches(c, refs);
}

TEST(ContainerFilter, RejectsBadFilters) {
  EXPECT_FALSE(ContainerFilter::parse({"status"}).has_value());
  auto f = ContainerFilter::parse({"colour=red"});
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().message(), "invalid filter 'colour'");
  auto s = ContainerFilter::parse({"status=sleeping"});
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().message().find("status=sleeping"), std::string::npos);
}

TEST(ContainerFilter, SameKeyOrsDifferentKeysAnd) {
  auto exited = facts("old", "exited", 1);
  auto created = facts("new", "created", 3);
  auto running = facts("mid", "running", 2);
  std::vector<std::string> both = {"status=exited", "status=created"};
  EXPECT_TRUE(match(both, exited));
  EXPECT_TRUE(match(both, created));
  EXPECT_FALSE(match(both, running));
  EXPECT_TRUE(match({"name=old", "name=mid"}, running));
  EXPECT_FALSE(match({"name=old", "status=running"}, running));
  EXPECT_FALSE(match({"name=old", "status=running"}, exited));
  EXPECT_TRUE(match({"name=old", "name=mid", "status=running"}, running));
  EXPECT_TRUE(match({"id=abn", "id=abo"}, exited));
  EXPECT_FALSE(match({"id=abn", "id=abm"}, exited));
}

TEST(ContainerFilter, EveryLabelMustMatch) {
  auto c = facts("db", "running", 1, {{"tier", "db"}, {"team", "a"}});
  EXPECT_TRUE(match({"label=tier"}, c));
  EXPECT_TRUE(match({"label=tier=db", "label=team"}, c));
  EXPECT_FALSE(match({"label=tier=db", "label=team=b"}, c));
  EXPECT_FALSE(match({"label=tier=web"}, c));
}

TEST(ContainerFilter, ExitedAncestorBeforeSince) {
  auto c = facts("x", "exited", 5, {}, 3);
  EXPECT_TRUE(match({"exited=0", "exited=3"}, c));
  EXPECT_FALSE(match({"exited=0"}, c));
  EXPECT_FALSE(match({"exited=3"}, facts("y", "running", 5, {}, 3)));
  ResolvedRefs refs;
  refs.ancestor_ids = {"sha256:other", "sha256:x"};
  EXPECT_TRUE(match({"ancestor=a", "ancestor=b"}, c, refs));
  EXPECT_FALSE(match({"ancestor=a"}, c, ResolvedRefs{}));
  refs.before = 6;
  refs.since = 4;
  EXPECT_TRUE(match({"before=p", "since=q"}, c, refs));
  refs.since = 5;
  EXPECT_FALSE(match({"since=q"}, c, refs));
}

}  // namespace
}  // namespace hako::engine
