#include "engine/diff.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sys/file.h"

namespace hako::engine {
namespace {

class DiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-diff-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    upper_ = base_ + "/upper";
    lower_ = base_ + "/lower";
    for (const char* d : {"/upper", "/lower/bin", "/lower/etc"})
      ASSERT_TRUE(sys::make_dirs(base_ + d));
    ASSERT_TRUE(sys::write_file_atomic(lower_ + "/bin/vi", "vi"));
    ASSERT_TRUE(sys::write_file_atomic(lower_ + "/etc/passwd", "root"));
  }
  void TearDown() override { ASSERT_TRUE(sys::remove_all(base_)); }
  std::string lines(const std::set<std::string>& hidden = {}) {
    auto r = upper_changes(upper_, {lower_}, hidden);
    EXPECT_TRUE(r) << r.error().message();
    std::string out;
    if (r)
      for (const auto& c : *r) out += std::string(1, c.kind) + " " + c.path + "\n";
    return out;
  }
  std::string base_, upper_, lower_;
};

TEST_F(DiffTest, AddedChangedDeletedInDockersOrder) {
  ASSERT_TRUE(sys::make_dirs(upper_ + "/bin"));
  if (::mknod((upper_ + "/bin/vi").c_str(), S_IFCHR | 0600, makedev(0, 0)) != 0)
    GTEST_SKIP() << "cannot make a whiteout here";
  ASSERT_TRUE(sys::make_dirs(upper_ + "/etc/sub"));
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/etc/passwd", "root\nme"));
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/etc/sub/y", "y"));
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/new", "n"));
  EXPECT_EQ(lines(),
            "C /bin\nD /bin/vi\nC /etc\nC /etc/passwd\nA /etc/sub\nA /etc/sub/y\nA /new\n");
}

TEST_F(DiffTest, ParentOfAnAddedPathIsListedOnce) {
  // /etc is listed once, before the paths added in it.
  ASSERT_TRUE(sys::make_dirs(upper_ + "/etc"));
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/etc/a", "a"));
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/etc/b", "b"));
  std::string out = lines();
  EXPECT_EQ(out, "C /etc\nA /etc/a\nA /etc/b\n");
}

TEST_F(DiffTest, RuntimeMountPointsAndTheirParentsAreHidden) {
  ASSERT_TRUE(sys::make_dirs(upper_ + "/etc"));
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/etc/hosts", ""));
  ASSERT_TRUE(sys::make_dirs(upper_ + "/data"));
  EXPECT_EQ(lines({"/etc/hosts", "/data"}), "");
  ASSERT_TRUE(sys::write_file_atomic(upper_ + "/etc/passwd", "changed"));
  EXPECT_EQ(lines({"/etc/hosts", "/data"}), "C /etc\nC /etc/passwd\n");
}

}  // namespace
}  // namespace hako::engine
