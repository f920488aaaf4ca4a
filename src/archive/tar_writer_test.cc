#include "archive/tar_writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "archive/extract.h"
#include "archive/hostile_tar.h"
#include "sys/file.h"

namespace hako::archive {
namespace {

using testing::TarBuilder;

class TarWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-tar-writer-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(sys::remove_all(base_)); }
  Result<ExtractStats> extract_to(const std::string& tar, const std::string& dir) {
    EXPECT_TRUE(sys::make_dirs(dir));
    MemoryReader reader(tar);
    bool root = ::geteuid() == 0;
    return extract_layer(reader, dir, {.preserve_owners = root, .userxattr = !root});
  }
  std::string base_;
};

TEST_F(TarWriterTest, RoundTripIsDeterministicAndKeepsWhiteouts) {
  std::string layer = TarBuilder()
                          .dir("etc", {.perm = 0755, .mtime = 1'000'000'000})
                          .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", {.perm = 0644})
                          .file("bin/su", "elf", {.perm = 04755})
                          .hardlink("bin/su2", "bin/su")
                          .symlink("bin/sh", "/bin/busybox")
                          .file("gone/.wh.old", "")
                          .file("opq/.wh..wh..opq", "")
                          .file("opq/new", "n")
                          .finish();
  auto r = extract_to(layer, base_ + "/a");
  ASSERT_TRUE(r) << r.error().message();

  std::string tar1, tar2;
  StringWriter w1(&tar1), w2(&tar2);
  auto s1 = write_tar(base_ + "/a", w1);
  ASSERT_TRUE(s1) << s1.error().message();
  ASSERT_TRUE(write_tar(base_ + "/a", w2));
  EXPECT_EQ(tar1, tar2);
  EXPECT_EQ(tar1.size() % 512, 0u);
  EXPECT_NE(tar1.find("gone/.wh.old"), std::string::npos);
  EXPECT_NE(tar1.find("opq/.wh..wh..opq"), std::string::npos);

  auto r2 = extract_to(tar1, base_ + "/b");
  ASSERT_TRUE(r2) << r2.error().message();
  EXPECT_EQ(r2->hardlinks, 1u);
  struct stat sb;
  ASSERT_EQ(::lstat((base_ + "/b/gone/old").c_str(), &sb), 0);
  EXPECT_TRUE(S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(0, 0));
  ASSERT_EQ(::lstat((base_ + "/b/bin/su").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 07777, 04755u);
  EXPECT_EQ(sb.st_nlink, 2u);
  ASSERT_EQ(::lstat((base_ + "/b/etc").c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mtim.tv_sec, 1'000'000'000);
  const char* attr = ::geteuid() == 0 ? "trusted.overlay.opaque" : "user.overlay.opaque";
  char v[2];
  EXPECT_EQ(::lgetxattr((base_ + "/b/opq").c_str(), attr, v, sizeof v), 1);
  EXPECT_EQ(*sys::read_file(base_ + "/b/opq/new"), "n");

  // And the re-extracted tree writes the same tar again.
  std::string tar3;
  StringWriter w3(&tar3);
  ASSERT_TRUE(write_tar(base_ + "/b", w3));
  EXPECT_EQ(tar1, tar3);
}

// Lists a tar's entry names in order.
std::vector<std::string> names_of(const std::string& tar) {
  std::vector<std::string> out;
  for (size_t off = 0; off + 512 <= tar.size();) {
    std::string name(tar.data() + off, strnlen(tar.data() + off, 100));
    if (name.empty()) break;
    uint64_t size = std::stoull(std::string(tar.data() + off + 124, 11), nullptr, 8);
    out.push_back(name);
    off += 512 + (size + 511) / 512 * 512;
  }
  return out;
}

TEST_F(TarWriterTest, WritePathNamesTheEntry) {
  ASSERT_TRUE(sys::make_dirs(base_ + "/src/sub"));
  ASSERT_TRUE(sys::write_file_atomic(base_ + "/src/sub/y", "y"));
  ASSERT_TRUE(sys::write_file_atomic(base_ + "/src/f", "data"));
  ASSERT_EQ(::symlink("/etc/passwd", (base_ + "/src/link").c_str()), 0);
  auto tar_of = [&](const std::string& path, int flags, const std::string& name) {
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC | flags);
    EXPECT_GE(fd, 0) << path;
    std::string out;
    StringWriter w(&out);
    auto r = write_tar_path(fd, name, w);
    ::close(fd);
    EXPECT_TRUE(r) << r.error().message();
    return names_of(out);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(tar_of(base_ + "/src", 0, "src"),
            (V{"src/", "src/f", "src/link", "src/sub/", "src/sub/y"}));
  EXPECT_EQ(tar_of(base_ + "/src/sub", 0, "."), (V{"./", "./y"}));
  EXPECT_EQ(tar_of(base_ + "/src/sub", 0, ""), (V{"y"}));
  EXPECT_EQ(tar_of(base_ + "/src/f", 0, "renamed"), (V{"renamed"}));
  EXPECT_EQ(tar_of(base_ + "/src/link", O_NOFOLLOW, "link"), (V{"link"}));

  // A symlink stays a symlink; a file keeps its data.
  int fd = ::open((base_ + "/src/link").c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  std::string out;
  StringWriter w(&out);
  ASSERT_TRUE(write_tar_path(fd, "l", w));
  ::close(fd);
  ASSERT_TRUE(extract_to(out, base_ + "/x"));
  char target[64] = {};
  ASSERT_GT(::readlink((base_ + "/x/l").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "/etc/passwd");
}

TEST_F(TarWriterTest, SkipLeavesOutEntries) {
  ASSERT_TRUE(sys::make_dirs(base_ + "/src/etc"));
  ASSERT_TRUE(sys::write_file_atomic(base_ + "/src/etc/hosts", ""));
  ASSERT_TRUE(sys::write_file_atomic(base_ + "/src/etc/passwd", "p"));
  std::string out;
  StringWriter w(&out);
  ASSERT_TRUE(write_tar(base_ + "/src", w, {"etc/hosts"}));
  EXPECT_EQ(names_of(out), (std::vector<std::string>{"etc/", "etc/passwd"}));
}

TEST_F(TarWriterTest, MissingDirIsAnError) {
  std::string out;
  StringWriter w(&out);
  auto r = write_tar(base_ + "/nope", w);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace hako::archive

namespace hako::archive {
namespace {

class IdRemapTest : public TarWriterTest {};

std::string owner_of(const std::string& path) {
  struct stat sb {};
  if (::lstat(path.c_str(), &sb) != 0) return "missing";
  return std::to_string(sb.st_uid) + ":" + std::to_string(sb.st_gid);
}

TEST_F(IdRemapTest, ExtractIntoAndWriteOutOfARemappedContainer) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown needs root";
  const IdRemap r = IdRemap::single(100000, 65536, 200000, 65536);
  std::string layer = TarBuilder().file("a", "x", {.uid = 5, .gid = 6}).finish();
  {
    ASSERT_TRUE(sys::make_dirs(base_ + "/kept"));
    MemoryReader reader(layer);
    ASSERT_TRUE(extract_layer(reader, base_ + "/kept", {.preserve_owners = true, .remap = r}));
    EXPECT_EQ(owner_of(base_ + "/kept/a"), "100005:200006");
  }
  {
    ASSERT_TRUE(sys::make_dirs(base_ + "/root"));
    MemoryReader reader(layer);
    ASSERT_TRUE(extract_layer(reader, base_ + "/root", {.preserve_owners = false, .remap = r}));
    EXPECT_EQ(owner_of(base_ + "/root/a"), "100000:200000");
  }
  std::string tar;
  StringWriter w(&tar);
  ASSERT_TRUE(write_tar(base_ + "/kept", w, {}, &r));
  auto back = extract_to(tar, base_ + "/back");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(owner_of(base_ + "/back/a"), "5:6");
  // Outside the range: the overflow id, as the container sees it.
  ASSERT_EQ(::chown((base_ + "/kept/a").c_str(), 7, 7), 0);
  tar.clear();
  StringWriter w2(&tar);
  ASSERT_TRUE(write_tar(base_ + "/kept", w2, {}, &r));
  ASSERT_TRUE(extract_to(tar, base_ + "/over"));
  EXPECT_EQ(owner_of(base_ + "/over/a"), "65534:65534");
}

}  // namespace
}  // namespace hako::archive
