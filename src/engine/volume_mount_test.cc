#include "engine/volume_mount.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

namespace hako::engine {
namespace {

bool only_ext4(const std::string& type) { return type == "ext4"; }

Result<std::optional<VolumeMount>> parse(const nlohmann::json& opts) {
  return parse_volume_mount(opts, only_ext4);
}

std::string error_of(const nlohmann::json& opts) {
  auto r = parse(opts);
  return r ? std::string("(no error)") : r.error().message();
}

TEST(VolumeMount, NoTypeIsAPlainDirectory) {
  auto r = parse(nlohmann::json::object());
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST(VolumeMount, TmpfsWithSizeAndUid) {
  auto r = parse({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=64m,uid=1000,noexec"}});
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(*r);
  EXPECT_EQ((*r)->type, "tmpfs");
  EXPECT_EQ((*r)->device, "tmpfs");
  EXPECT_EQ((*r)->data, "size=64m,uid=1000");
  EXPECT_EQ((*r)->flags, static_cast<unsigned long>(MS_NOEXEC));
  EXPECT_FALSE((*r)->bind);
}

TEST(VolumeMount, BindOfAHostDirectory) {
  auto r = parse({{"type", "none"}, {"device", "/srv/data"}, {"o", "bind,ro"}});
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(*r);
  EXPECT_TRUE((*r)->bind);
  EXPECT_FALSE((*r)->recursive);
  EXPECT_EQ((*r)->device, "/srv/data");
  EXPECT_EQ((*r)->flags, static_cast<unsigned long>(MS_RDONLY));
  auto rec = parse({{"type", "none"}, {"device", "/srv"}, {"o", "rbind"}});
  ASSERT_TRUE(rec && *rec);
  EXPECT_TRUE((*rec)->recursive);
}

TEST(VolumeMount, AKnownFilesystemWithADevice) {
  auto r = parse({{"type", "ext4"}, {"device", "/dev/sdb1"}});
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->type, "ext4");
}

TEST(VolumeMount, BadOptionsAreOneLineErrors) {
  EXPECT_NE(error_of({{"type", "foofs"}, {"device", "x"}}).find("type=foofs: use tmpfs"),
            std::string::npos);
  EXPECT_NE(error_of({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=1m,colour=red"}})
                .find("\"colour=red\""),
            std::string::npos);
  EXPECT_NE(error_of({{"type", "none"}, {"device", "/srv"}}).find("needs o=bind"),
            std::string::npos);
  EXPECT_NE(error_of({{"type", "none"}, {"device", "srv"}, {"o", "bind"}}).find("absolute"),
            std::string::npos);
  EXPECT_NE(
      error_of({{"type", "none"}, {"device", "/srv"}, {"o", "bind,size=1"}}).find("\"size=1\""),
      std::string::npos);
  EXPECT_NE(error_of({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "bind"}}).find("no bind"),
            std::string::npos);
  EXPECT_NE(
      error_of({{"type", "ext4"}, {"device", "/dev/x"}, {"o", "bind"}}).find("needs type=none"),
      std::string::npos);
  EXPECT_NE(
      error_of({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "rshared"}}).find("propagation"),
      std::string::npos);
}

}  // namespace
}  // namespace hako::engine
