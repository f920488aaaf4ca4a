#include <gtest/gtest.h>

#include "cgroup/path.h"

namespace hako::cgroup {
namespace {

Hierarchy memory_at(std::string own, std::string root = "/") {
  Hierarchy h;
  h.controllers = {"memory"};
  h.mount_point = "/sys/fs/cgroup/memory";
  h.mount_root = std::move(root);
  h.own_path = std::move(own);
  return h;
}

TEST(CgroupPath, EmptyIsHakoSlashId) {
  auto p = parse_cgroup_path("", "c1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->path, "hako/c1");
  EXPECT_FALSE(p->relative);
  EXPECT_EQ(p->owned_levels, 2);
  EXPECT_EQ(*path_below_mount(memory_at("/user.slice"), *p), "hako/c1");
  EXPECT_FALSE(parse_cgroup_path("", ""));
  EXPECT_FALSE(parse_cgroup_path("", ".."));
  EXPECT_FALSE(parse_cgroup_path("", "a/b"));
}

TEST(CgroupPath, AbsoluteIsUnderTheRootAsGiven) {
  auto p = parse_cgroup_path("/machine//x/./y/", "c1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->path, "machine/x/y");
  EXPECT_FALSE(p->relative);
  EXPECT_EQ(p->owned_levels, 0);
  // Where the caller sits does not matter for an absolute path.
  EXPECT_EQ(*path_below_mount(memory_at("/user.slice"), *p), "machine/x/y");
}

TEST(CgroupPath, RelativeIsUnderTheCallersCgroup) {
  auto p = parse_cgroup_path("a/b", "c1");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->relative);
  EXPECT_EQ(*path_below_mount(memory_at("/user.slice/s1"), *p), "user.slice/s1/a/b");
  EXPECT_EQ(*path_below_mount(memory_at("/"), *p), "a/b");
  // Nested: the mount shows only /docker/abc, the caller is /docker/abc/inner.
  EXPECT_EQ(*path_below_mount(memory_at("/docker/abc/inner", "/docker/abc"), *p), "inner/a/b");
  // The caller outside the mounted subtree cannot be resolved.
  auto outside = path_below_mount(memory_at("/other", "/docker/abc"), *p);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message().find("outside the part mounted"), std::string::npos);
}

TEST(CgroupPath, DotDotMayNotEscape) {
  EXPECT_EQ(parse_cgroup_path("/a/../b", "c")->path, "b");
  auto abs = parse_cgroup_path("/a/../../etc", "c");
  ASSERT_FALSE(abs);
  EXPECT_EQ(abs.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(abs.error().message().find("climbs above"), std::string::npos);
  EXPECT_FALSE(parse_cgroup_path("../sibling", "c"));
  EXPECT_FALSE(parse_cgroup_path("a/../..", "c"));
}

TEST(CgroupPath, RootOrOwnCgroupIsRefused) {
  EXPECT_FALSE(parse_cgroup_path("/", "c"));
  EXPECT_FALSE(parse_cgroup_path("/a/..", "c"));
  EXPECT_FALSE(parse_cgroup_path(".", "c"));
  EXPECT_FALSE(parse_cgroup_path(std::string_view("/a\0b", 4), "c"));
}

TEST(CgroupPath, IsWithin) {
  EXPECT_TRUE(is_within("/a/b", "/a"));
  EXPECT_TRUE(is_within("/a", "/a"));
  EXPECT_TRUE(is_within("/a", "/"));
  EXPECT_FALSE(is_within("/ab", "/a"));
  EXPECT_FALSE(is_within("/", "/a"));
}

}  // namespace
}  // namespace hako::cgroup
