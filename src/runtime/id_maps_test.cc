#include "runtime/id_maps.h"

#include <gtest/gtest.h>

#include "runtime/idmap_mount.h"

namespace hako::runtime {
namespace {

oci::Linux user_ns(std::vector<oci::IdMapping> uids, std::vector<oci::IdMapping> gids) {
  oci::Linux lx;
  lx.namespaces = {{"user", ""}, {"mount", ""}};
  lx.uid_mappings = std::move(uids);
  lx.gid_mappings = std::move(gids);
  return lx;
}

TEST(IdMaps, FormatsOneLinePerRange) {
  EXPECT_EQ(format_id_map({{0, 1000, 1}, {1, 100000, 65536}}), "0 1000 1\n1 100000 65536\n");
  EXPECT_EQ(format_id_map({}), "");
  EXPECT_EQ(id_map_helper_args(42, {{0, 1000, 1}, {1, 100000, 65536}}),
            (std::vector<std::string>{"42", "0", "1000", "1", "1", "100000", "65536"}));
}

TEST(IdMaps, RootWritesEveryMapDirectly) {
  IdMapPlan p = plan_id_maps(user_ns({{0, 100000, 65536}, {65536, 0, 1}}, {{0, 100000, 1}}), 0, 0);
  EXPECT_EQ(p.uid, IdMapMethod::kDirect);
  EXPECT_EQ(p.gid, IdMapMethod::kDirect);
  EXPECT_FALSE(p.deny_setgroups);
}

TEST(IdMaps, UnprivilegedOwnIdOnlyDeniesSetgroups) {
  IdMapPlan p = plan_id_maps(user_ns({{0, 1000, 1}}, {{0, 1001, 1}}), 1000, 1001);
  EXPECT_EQ(p.uid, IdMapMethod::kDirect);
  EXPECT_EQ(p.gid, IdMapMethod::kDirect);
  EXPECT_TRUE(p.deny_setgroups);
}

TEST(IdMaps, UnprivilegedRangesUseTheHelpers) {
  IdMapPlan p =
      plan_id_maps(user_ns({{0, 1000, 1}, {1, 100000, 65536}}, {{0, 1000, 1}}), 1000, 1000);
  EXPECT_EQ(p.uid, IdMapMethod::kHelper);
  EXPECT_EQ(p.gid, IdMapMethod::kDirect);
  EXPECT_TRUE(p.deny_setgroups);
  // Someone else's id, even a single one, is the helper's to grant.
  p = plan_id_maps(user_ns({{0, 5000, 1}}, {{0, 5000, 1}}), 1000, 1000);
  EXPECT_EQ(p.uid, IdMapMethod::kHelper);
  EXPECT_EQ(p.gid, IdMapMethod::kHelper);
  EXPECT_FALSE(p.deny_setgroups);
}

TEST(IdMaps, RootNeedsMappingsForANewUserNamespace) {
  oci::Linux lx = user_ns({}, {});
  Status s = complete_user_namespace(lx, 0, 0);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
}

TEST(IdMaps, UnprivilegedGetsItsOwnIdAsRoot) {
  oci::Linux lx = user_ns({}, {});
  ASSERT_TRUE(complete_user_namespace(lx, 1000, 1001));
  ASSERT_EQ(lx.uid_mappings.size(), 1u);
  EXPECT_EQ(format_id_map(lx.uid_mappings), "0 1000 1\n");
  EXPECT_EQ(format_id_map(lx.gid_mappings), "0 1001 1\n");
  oci::Linux none;
  none.namespaces = {{"mount", ""}};
  Status s = complete_user_namespace(none, 1000, 1000);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("linux.namespaces: an unprivileged user needs a user"),
            std::string::npos);
  // Joining a user namespace by path needs no maps.
  oci::Linux joined;
  joined.namespaces = {{"user", "/proc/1/ns/user"}};
  EXPECT_TRUE(complete_user_namespace(joined, 0, 0));
}

TEST(IdmapMount, RequestsFromOptionsAndMappings) {
  oci::Spec spec;
  spec.mounts = {{"/a", "bind", "/x", {"rbind", "idmap"}, {}, {}},
                 {"/b", "bind", "/y", {"bind"}, {}, {}},
                 {"/c", "bind", "/z", {"bind", "ridmap"}, {}, {}},
                 {"/d", "bind", "/w", {"bind"}, {{0, 1, 1}}, {{0, 1, 1}}}};
  auto r = idmap_requests(spec);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].mount_index, 0u);
  EXPECT_TRUE(r[0].recursive_tree);
  EXPECT_FALSE(r[0].recursive_attr);
  EXPECT_FALSE(r[0].own_maps);
  EXPECT_EQ(r[1].mount_index, 2u);
  EXPECT_TRUE(r[1].recursive_attr);
  EXPECT_EQ(r[2].mount_index, 3u);
  EXPECT_TRUE(r[2].own_maps);
}

TEST(IdmapMount, RootfsAnnotation) {
  oci::Spec spec;
  EXPECT_FALSE(*wants_idmapped_rootfs(spec));
  spec.annotations[kIdmapRootfsAnnotation] = "true";
  EXPECT_TRUE(*wants_idmapped_rootfs(spec));
  spec.annotations[kIdmapRootfsAnnotation] = "yes";
  auto bad = wants_idmapped_rootfs(spec);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "annotations.run.oci.hako.idmap-rootfs: must be \"true\" or \"false\"");
}

}  // namespace
}  // namespace hako::runtime
