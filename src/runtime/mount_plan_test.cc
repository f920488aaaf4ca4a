#include "runtime/mount_plan.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

namespace hako::runtime {
namespace {

oci::Spec spec_with(std::vector<oci::Mount> mounts) {
  oci::Spec s;
  s.mounts = std::move(mounts);
  return s;
}

TEST(MountPlan, FlagsDataAndPropagationAreSeparated) {
  auto plan =
      plan_mounts(spec_with({{"/dev",
                              "tmpfs",
                              "tmpfs",
                              {"nosuid", "strictatime", "mode=755", "size=65536k", "rslave"}}}));
  ASSERT_TRUE(plan);
  const MountStep& s = (*plan)[0];
  EXPECT_EQ(s.flags, unsigned(MS_NOSUID | MS_STRICTATIME));
  EXPECT_EQ(s.data, "mode=755,size=65536k");
  EXPECT_EQ(s.propagation, unsigned(MS_SLAVE | MS_REC));
  EXPECT_FALSE(s.bind);
}

TEST(MountPlan, ReadOnlyBindNeedsARemount) {
  auto plan = plan_mounts(spec_with({{"/data", "none", "/srv", {"rbind", "ro", "nosuid"}}}));
  ASSERT_TRUE(plan);
  const MountStep& s = (*plan)[0];
  EXPECT_TRUE(s.bind);
  EXPECT_TRUE(s.recursive);
  EXPECT_EQ(s.flags, unsigned(MS_BIND | MS_REC));
  EXPECT_TRUE(s.remount);
  EXPECT_EQ(s.remount_flags, unsigned(MS_RDONLY | MS_NOSUID));
}

TEST(MountPlan, TypeBindWithoutOptionIsABind) {
  auto plan = plan_mounts(spec_with({{"/etc/hosts", "bind", "/etc/hosts", {}}}));
  ASSERT_TRUE(plan);
  EXPECT_TRUE((*plan)[0].bind);
  EXPECT_FALSE((*plan)[0].remount);
}

TEST(MountPlan, CgroupMountsAreMarked) {
  auto plan = plan_mounts(spec_with({{"/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid"}}}));
  ASSERT_TRUE(plan);
  EXPECT_TRUE((*plan)[0].cgroup);
  EXPECT_EQ((*plan)[0].flags, unsigned(MS_RDONLY | MS_NOSUID));
}

TEST(MountPlan, DotDotDestinationIsRejected) {
  EXPECT_FALSE(plan_mounts(spec_with({{"/a/../../etc", "tmpfs", "tmpfs", {}}})));
  EXPECT_FALSE(plan_mounts(spec_with({{"/x", "bind", "", {"bind"}}})));
}

TEST(MountPlan, RwClearsRo) {
  auto opts = parse_mount_options({"ro", "rw", "suid"});
  EXPECT_EQ(opts.flags & MS_RDONLY, 0u);
}

TEST(MountPlan, RootfsPropagationDefaultsToRslave) {
  EXPECT_EQ(rootfs_propagation_flags(""), unsigned(MS_SLAVE | MS_REC));
  EXPECT_EQ(rootfs_propagation_flags("private"), unsigned(MS_PRIVATE));
}

}  // namespace
}  // namespace hako::runtime
