#include "sys/mount.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/file.h"

namespace hako::sys {
namespace {

class InRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-mount-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    ASSERT_TRUE(make_dirs(base_ + "/root/etc"));
    ASSERT_TRUE(make_dirs(base_ + "/outside"));
    root_ = *open_path(base_ + "/root", O_PATH | O_DIRECTORY);
  }
  void TearDown() override { ASSERT_TRUE(remove_all(base_)); }
  std::string base_;
  UniqueFd root_;
};

TEST_F(InRoot, SymlinkEscapeStaysInside) {
  // An image symlink pointing at an absolute host path and one climbing with "..".
  ASSERT_EQ(symlink((base_ + "/outside").c_str(), (base_ + "/root/abs").c_str()), 0);
  ASSERT_EQ(symlink("../../../../..", (base_ + "/root/up").c_str()), 0);
  ASSERT_TRUE(create_in_root(root_.get(), "/abs/x", false));
  ASSERT_TRUE(create_in_root(root_.get(), "/up/tmp/y", true));
  EXPECT_FALSE(exists(base_ + "/outside/x"));
  // The absolute symlink resolved inside the root: base/root/<base>/outside/x
  EXPECT_TRUE(exists(base_ + "/root" + base_ + "/outside/x"));
  EXPECT_TRUE(exists(base_ + "/root/tmp/y"));
}

TEST_F(InRoot, CreatesNestedDirsAndFiles) {
  auto fd = create_in_root(root_.get(), "a/b/c", false);
  ASSERT_TRUE(fd);
  struct stat st;
  ASSERT_EQ(stat((base_ + "/root/a/b/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ASSERT_TRUE(create_in_root(root_.get(), "/etc/resolv.conf", true));
  ASSERT_EQ(stat((base_ + "/root/etc/resolv.conf").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

}  // namespace
}  // namespace hako::sys
