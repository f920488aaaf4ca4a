#include "archive/extract.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <set>

#include "archive/hostile_tar.h"
#include "sys/file.h"

namespace hako::archive {
namespace {

using testing::Attrs;
using testing::Compression;
using testing::TarBuilder;

bool is_root() { return ::geteuid() == 0; }

#define SKIP_UNLESS_ROOT() \
  if (!is_root()) GTEST_SKIP() << "needs root (mknod, chown, security.* xattrs)"

// Lists a tree as "path mode size" lines, symlinks with their target, without following them.
void list_tree(const std::string& dir, const std::string& rel, std::set<std::string>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = dir + "/" + name;
    struct stat sb;
    ::lstat(path.c_str(), &sb);
    out->insert(rel + name + " " + std::to_string(sb.st_mode) + " " + std::to_string(sb.st_size));
    if (S_ISDIR(sb.st_mode)) list_tree(path, rel + name + "/", out);
  }
  ::closedir(d);
}

class Extract : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-archive-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    dest_ = base_ + "/dest";
    sentinel_ = base_ + "/sentinel";
    ASSERT_TRUE(sys::make_dirs(dest_));
    ASSERT_TRUE(sys::make_dirs(sentinel_ + "/sub"));
    ASSERT_TRUE(sys::write_file_atomic(sentinel_ + "/secret", "secret"));
    list_outside(&before_);
  }
  void TearDown() override {
    // Every test, escape or not, must leave everything beside dest exactly as it was.
    std::set<std::string> after;
    list_outside(&after);
    EXPECT_EQ(before_, after) << "something was written outside dest";
    ASSERT_TRUE(sys::remove_all(base_));
  }
  void list_outside(std::set<std::string>* out) {
    list_tree(sentinel_, "sentinel/", out);
    DIR* d = ::opendir(base_.c_str());
    while (dirent* e = ::readdir(d)) out->insert(std::string("base/") + e->d_name);
    ::closedir(d);
  }

  Result<ExtractStats> extract(const std::string& tar, ExtractOptions options = {}) {
    if (!is_root()) {
      options.preserve_owners = false;
      options.userxattr = true;
    }
    MemoryReader reader(tar);
    return extract_layer(reader, dest_, options);
  }
  std::string read(const std::string& rel) {
    auto r = sys::read_file(dest_ + "/" + rel);
    return r ? *r : "<" + r.error().message() + ">";
  }
  struct stat lstat_of(const std::string& rel) {
    struct stat sb {};
    EXPECT_EQ(::lstat((dest_ + "/" + rel).c_str(), &sb), 0) << rel;
    return sb;
  }
  bool exists_in_dest(const std::string& rel) {
    struct stat sb;
    return ::lstat((dest_ + "/" + rel).c_str(), &sb) == 0;
  }

  std::string base_, dest_, sentinel_;
  std::set<std::string> before_;
};

TEST_F(Extract, PlainGzipZstd) {
  for (auto c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    ASSERT_TRUE(sys::remove_all(dest_));
    ASSERT_TRUE(sys::make_dirs(dest_));
    std::string tar = TarBuilder(c).dir("etc").file("etc/hostname", "box\n").finish();
    auto r = extract(tar);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(read("etc/hostname"), "box\n");
    EXPECT_EQ(r->files, 1u);
    EXPECT_EQ(r->dirs, 1u);
  }
}

TEST_F(Extract, DotDotTraversalRefused) {
  std::string tar = TarBuilder().file("../sentinel/pwned", "x").finish();
  auto r = extract(tar);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "layer entry \"../sentinel/pwned\": path escapes the layer root");
  tar = TarBuilder().file("a/../../../sentinel/pwned", "x").finish();
  EXPECT_FALSE(extract(tar));
}

TEST_F(Extract, AbsoluteNameStaysInside) {
  std::string tar = TarBuilder().file(sentinel_ + "/pwned", "x").file("/etc/x", "y").finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read(sentinel_.substr(1) + "/pwned"), "x");
  EXPECT_EQ(read("etc/x"), "y");
}

TEST_F(Extract, WriteThroughSymlinkStaysInside) {
  // a -> <host sentinel> (absolute), b -> ../../../.. (climbing): files written "through"
  // them land inside dest, where the links resolve when dest is the root.
  std::string tar = TarBuilder()
                        .symlink("a", sentinel_)
                        .file("a/pwned", "x")
                        .symlink("b", "../../../..")
                        .file("b" + sentinel_ + "/pwned2", "y")
                        .symlink("x", "/etc")
                        .file("x/hako-test-passwd", "z")
                        .finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read(sentinel_.substr(1) + "/pwned"), "x");
  EXPECT_EQ(read(sentinel_.substr(1) + "/pwned2"), "y");
  EXPECT_FALSE(sys::exists("/etc/hako-test-passwd"));
  EXPECT_EQ(read("etc/hako-test-passwd"), "z");
  EXPECT_TRUE(S_ISLNK(lstat_of("a").st_mode));  // the link itself is stored as is
}

TEST_F(Extract, SymlinkChainStaysInside) {
  std::string tar = TarBuilder()
                        .symlink("l1", "l2")
                        .symlink("l2", "sub/../l3")
                        .dir("sub")
                        .symlink("l3", sentinel_ + "/sub")
                        .file("l1/pwned", "x")
                        .finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read(sentinel_.substr(1) + "/sub/pwned"), "x");
}

TEST_F(Extract, HardlinkOutsideRefused) {
  auto expect_refused = [&](const std::string& tar, const std::string& what) {
    auto r = extract(tar);
    ASSERT_FALSE(r) << what;
    EXPECT_NE(r.error().message().find("layer entry \"h\": hardlink target"), std::string::npos)
        << r.error().message();
    struct stat sb;
    ASSERT_EQ(::stat((sentinel_ + "/secret").c_str(), &sb), 0);
    EXPECT_EQ(sb.st_nlink, 1u) << what;
  };
  expect_refused(TarBuilder().hardlink("h", "../sentinel/secret").finish(), "dotdot");
  expect_refused(TarBuilder().hardlink("h", sentinel_ + "/secret").finish(), "absolute");
  expect_refused(TarBuilder().symlink("s", sentinel_ + "/secret").hardlink("h", "s").finish(),
                 "to a symlink pointing out");
  expect_refused(TarBuilder().symlink("d", sentinel_).hardlink("h", "d/secret").finish(),
                 "through a symlinked dir");
  expect_refused(TarBuilder().dir("x").hardlink("h", "x").finish(), "to a directory");
}

TEST_F(Extract, HardlinkInside) {
  std::string tar = TarBuilder().file("f", "data").hardlink("g/h", "./f").finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(lstat_of("f").st_ino, lstat_of("g/h").st_ino);
  EXPECT_EQ(read("g/h"), "data");
}

TEST_F(Extract, FileReplacesDirContainingSymlink) {
  std::string tar = TarBuilder()
                        .dir("d")
                        .symlink("d/l", sentinel_)
                        .file("d", "now a file")
                        .dir("e")
                        .file("e/x", "1")
                        .symlink("e", sentinel_)
                        .file("e/y", "2")
                        .finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read("d"), "now a file");
  EXPECT_TRUE(S_ISLNK(lstat_of("e").st_mode));
  EXPECT_EQ(read(sentinel_.substr(1) + "/y"), "2");
}

TEST_F(Extract, DuplicatesLaterWins) {
  std::string tar = TarBuilder()
                        .file("f", "first")
                        .file("f", "second")
                        .file("g", "file")
                        .dir("g")
                        .file("g/in", "in")
                        .dir("g", {.perm = 0700})
                        .finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read("f"), "second");
  EXPECT_EQ(read("g/in"), "in");  // a dir over a dir merges
  EXPECT_EQ(lstat_of("g").st_mode & 07777, 0700u);
}

TEST_F(Extract, ImpliedParentsAre0755) {
  auto r = extract(TarBuilder().file("x/y/z", "z").finish());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(lstat_of("x/y").st_mode & 07777, 0755u);
  EXPECT_EQ(read("x/y/z"), "z");
}

TEST_F(Extract, DevicesRefusedOrSkipped) {
  std::string tar = TarBuilder().node("dev/null", AE_IFCHR, 1, 3).file("ok", "1").finish();
  auto r = extract(tar, {.devices = DevicePolicy::kRefuse});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "layer entry \"dev/null\": device nodes are not allowed here");
  ASSERT_TRUE(sys::remove_all(dest_));
  ASSERT_TRUE(sys::make_dirs(dest_));
  r = extract(tar, {.devices = DevicePolicy::kSkip});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(exists_in_dest("dev/null"));
  EXPECT_EQ(read("ok"), "1");
}

TEST_F(Extract, DevicesCreatedAsRoot) {
  SKIP_UNLESS_ROOT();
  std::string tar = TarBuilder()
                        .node("dev/null", AE_IFCHR, 1, 3, {.perm = 0666})
                        .node("dev/loop9", AE_IFBLK, 7, 9, {.perm = 0660})
                        .node("run/fifo", AE_IFIFO, 0, 0, {.perm = 0600})
                        .finish();
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  struct stat sb = lstat_of("dev/null");
  EXPECT_TRUE(S_ISCHR(sb.st_mode));
  EXPECT_EQ(sb.st_rdev, makedev(1, 3));
  EXPECT_EQ(sb.st_mode & 07777, 0666u);
  EXPECT_TRUE(S_ISBLK(lstat_of("dev/loop9").st_mode));
  EXPECT_TRUE(S_ISFIFO(lstat_of("run/fifo").st_mode));
}

TEST_F(Extract, FifoWithoutRoot) {
  auto r = extract(TarBuilder().node("p", AE_IFIFO, 0, 0, {.perm = 0640}).finish());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(S_ISFIFO(lstat_of("p").st_mode));
  EXPECT_EQ(lstat_of("p").st_mode & 07777, 0640u);
}

TEST_F(Extract, SetuidKept) {
  // The caller's own uid/gid keep the bits settable without root.
  Attrs attrs{.perm = 04755, .uid = ::geteuid(), .gid = ::getegid()};
  Attrs sticky{.perm = 01777, .uid = ::geteuid(), .gid = ::getegid()};
  auto r = extract(TarBuilder().file("bin/su", "elf", attrs).dir("tmp", sticky).finish());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(lstat_of("bin/su").st_mode & 07777, 04755u);
  EXPECT_EQ(lstat_of("tmp").st_mode & 07777, 01777u);
}

TEST_F(Extract, SetuidSetgidKeptAfterChown) {
  SKIP_UNLESS_ROOT();
  auto r =
      extract(TarBuilder().file("bin/x", "elf", {.perm = 06755, .uid = 1000, .gid = 50}).finish());
  ASSERT_TRUE(r) << r.error().message();
  struct stat sb = lstat_of("bin/x");
  EXPECT_EQ(sb.st_mode & 07777, 06755u);
  EXPECT_EQ(sb.st_uid, 1000u);
  EXPECT_EQ(sb.st_gid, 50u);
}

TEST_F(Extract, OverlayXattrRefused) {
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.redirect"}) {
    Attrs attrs{.perm = 0755, .xattrs = {{name, "y"}}};
    auto r = extract(TarBuilder().dir("d", attrs).finish());
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().message(),
              "layer entry \"d/\": xattr " + std::string(name) + " is reserved for overlayfs");
  }
}

TEST_F(Extract, UserXattrKept) {
  auto r = extract(TarBuilder().file("f", "x", {.xattrs = {{"user.note", "hello"}}}).finish());
  ASSERT_TRUE(r) << r.error().message();
  char buf[16];
  ssize_t n = ::lgetxattr((dest_ + "/f").c_str(), "user.note", buf, sizeof buf);
  ASSERT_EQ(n, 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
}

TEST_F(Extract, SecurityCapabilityKeptAfterChown) {
  SKIP_UNLESS_ROOT();
  // vfs_cap_data v2: cap_net_bind_service (10) permitted + effective.
  std::string cap(
      "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  Attrs attrs{.perm = 0755, .uid = 0, .gid = 0, .xattrs = {{"security.capability", cap}}};
  auto r = extract(TarBuilder().file("bin/ping", "elf", attrs).finish());
  ASSERT_TRUE(r) << r.error().message();
  char buf[64];
  ssize_t n = ::lgetxattr((dest_ + "/bin/ping").c_str(), "security.capability", buf, sizeof buf);
  ASSERT_EQ(n, 20);
  EXPECT_EQ(std::string(buf, 20), cap);
}

TEST_F(Extract, OwnersModesTimes) {
  SKIP_UNLESS_ROOT();
  std::string tar = TarBuilder()
                        .dir("ro", {.perm = 0555, .uid = 7, .gid = 8, .mtime = 1'000'000'000})
                        .file("ro/f", "x",
                              {.perm = 0640,
                               .uid = 1234,
                               .gid = 5678,
                               .mtime = 1'234'567'890,
                               .mtime_nsec = 500'000'000})
                        .symlink("ro/l", "f")
                        .finish();
  auto r = extract(tar, {.id_shift = 100000});
  ASSERT_TRUE(r) << r.error().message();
  struct stat f = lstat_of("ro/f");
  EXPECT_EQ(f.st_uid, 101234u);
  EXPECT_EQ(f.st_gid, 105678u);
  EXPECT_EQ(f.st_mode & 07777, 0640u);
  EXPECT_EQ(f.st_mtim.tv_sec, 1'234'567'890);
  EXPECT_EQ(f.st_mtim.tv_nsec, 500'000'000);
  struct stat d = lstat_of("ro");
  EXPECT_EQ(d.st_mode & 07777, 0555u);
  EXPECT_EQ(d.st_uid, 100007u);
  // Set after its contents were created, or it would be "now".
  EXPECT_EQ(d.st_mtim.tv_sec, 1'000'000'000);
  EXPECT_EQ(lstat_of("ro/l").st_uid, 100000u);
}

TEST_F(Extract, TimesWithoutRoot) {
  auto r = extract(TarBuilder()
                       .dir("d", {.perm = 0755, .mtime = 1'000'000'000})
                       .file("d/f", "x", {.mtime = 1'111'111'111})
                       .finish());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(lstat_of("d/f").st_mtim.tv_sec, 1'111'111'111);
  EXPECT_EQ(lstat_of("d").st_mtim.tv_sec, 1'000'000'000);
}

TEST_F(Extract, SparseFile) {
  std::string head(4096, 'h'), tail(4096, 't');
  int64_t size = 10 << 20;
  auto r = extract(
      TarBuilder().sparse("s", size, {{0, head}, {8 << 20, tail}}).file("after", "ok").finish());
  ASSERT_TRUE(r) << r.error().message();
  struct stat sb = lstat_of("s");
  EXPECT_EQ(sb.st_size, size);
  EXPECT_LT(sb.st_blocks * 512, 1 << 20) << "holes were filled";
  std::string content = read("s");
  EXPECT_EQ(content.substr(0, 4096), head);
  EXPECT_EQ(content.substr(8 << 20, 4096), tail);
  EXPECT_EQ(content[5 << 20], '\0');
  EXPECT_EQ(read("after"), "ok");
}

TEST_F(Extract, FiveGiBSparseFile) {
  // 5 GiB logical, a few KiB of data: checks 64-bit sizes and offsets without the disk cost.
  const int64_t size = int64_t{5} << 30;
  std::string end_data = "end of a very large file";
  std::string tar =
      TarBuilder().sparse("big", size, {{0, "start"}, {size - 24, end_data}}).finish();
  EXPECT_LT(tar.size(), 64u << 10);
  auto r = extract(tar);
  ASSERT_TRUE(r) << r.error().message();
  struct stat sb = lstat_of("big");
  EXPECT_EQ(sb.st_size, size);
  EXPECT_LT(sb.st_blocks * 512, 1 << 20);
  int fd = ::open((dest_ + "/big").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char buf[24];
  ASSERT_EQ(::pread(fd, buf, 24, size - 24), 24);
  EXPECT_EQ(std::string(buf, 24), end_data);
  ASSERT_EQ(::pread(fd, buf, 5, 0), 5);
  EXPECT_EQ(std::string(buf, 5), "start");
  ::close(fd);
}

TEST_F(Extract, WhiteoutsAndOpaqueDirs) {
  ExtractOptions opts;
  std::string tar = TarBuilder()
                        .dir("a")
                        .file("a/x", "deleted later in this layer")
                        .file("a/.wh.x", "")
                        .file("a/.wh.gone", "")
                        .file("b/.wh..wh..opq", "")
                        .file("b/kept", "k")
                        .file(".wh..wh.plnk", "")
                        .finish();
  auto r = extract(tar, opts);
  ASSERT_TRUE(r) << r.error().message();
  for (const char* name : {"a/x", "a/gone"}) {
    struct stat sb = lstat_of(name);
    EXPECT_TRUE(S_ISCHR(sb.st_mode)) << name;
    EXPECT_EQ(sb.st_rdev, makedev(0, 0)) << name;
  }
  EXPECT_FALSE(exists_in_dest("a/.wh.x"));
  EXPECT_FALSE(exists_in_dest(".wh..wh.plnk"));
  EXPECT_FALSE(exists_in_dest("b/.wh..wh..opq"));
  EXPECT_EQ(read("b/kept"), "k");
  const char* attr = is_root() ? "trusted.overlay.opaque" : "user.overlay.opaque";
  char v[4];
  ASSERT_EQ(::lgetxattr((dest_ + "/b").c_str(), attr, v, sizeof v), 1) << attr;
  EXPECT_EQ(v[0], 'y');
  EXPECT_EQ(r->whiteouts, 3u);
}

TEST_F(Extract, WhiteoutNamesLiteralForCp) {
  ExtractOptions opts;
  opts.whiteouts = false;
  std::string tar =
      TarBuilder().file("a/.wh.x", "w").file("b/.wh..wh..opq", "o").file("a/x", "x").finish();
  auto r = extract(tar, opts);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read("a/.wh.x"), "w");
  EXPECT_EQ(read("b/.wh..wh..opq"), "o");
  EXPECT_EQ(read("a/x"), "x");
  EXPECT_EQ(r->whiteouts, 0u);
}

TEST_F(Extract, KeepTypesRefusesDirNonDirReplacement) {
  ASSERT_TRUE(sys::make_dirs(dest_ + "/d/sub"));
  ASSERT_TRUE(sys::write_file_atomic(dest_ + "/f", "old"));
  ExtractOptions opts;
  opts.keep_types = true;
  auto r = extract(TarBuilder().file("d", "file over dir").finish(), opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("cannot overwrite directory \"/d\" with non-directory"),
            std::string::npos)
      << r.error().message();
  r = extract(TarBuilder().dir("f").finish(), opts);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("cannot overwrite non-directory \"/f\" with directory"),
            std::string::npos)
      << r.error().message();
  // Same types are merged or replaced as usual.
  r = extract(TarBuilder().dir("d").file("d/n", "n").file("f", "new").finish(), opts);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read("f"), "new");
  EXPECT_EQ(read("d/n"), "n");
  EXPECT_TRUE(exists_in_dest("d/sub"));
}

TEST_F(Extract, TruncatedArchive) {
  std::string tar = TarBuilder().file("f", std::string(100000, 'x')).finish();
  for (size_t cut : {size_t{700}, size_t{50000}}) {
    ASSERT_TRUE(sys::remove_all(dest_));
    ASSERT_TRUE(sys::make_dirs(dest_));
    auto r = extract(tar.substr(0, cut));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("runcated"), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find("layer entry \"f\""), std::string::npos)
        << r.error().message();
  }
  auto r = extract(std::string("this is not a tar at all, not even close"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().rfind("read layer: ", 0), 0u) << r.error().message();
}

TEST_F(Extract, EntryAndByteBounds) {
  TarBuilder b;
  for (int i = 0; i < 20; ++i) b.file("f" + std::to_string(i), "1234567890");
  std::string tar = b.finish();
  auto r = extract(tar, {.max_entries = 10});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "layer entry \"f10\": layer has more than 10 entries");
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);
  r = extract(tar, {.max_bytes = 55});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "layer entry \"f5\": layer holds more than 55 bytes");
}

TEST_F(Extract, ParallelMatchesSerial) {
  TarBuilder b;
  for (int d = 0; d < 20; ++d) {
    b.dir("d" + std::to_string(d), {.perm = 0750, .mtime = 1'000'000'000 + d});
    for (int f = 0; f < 50; ++f)
      b.file("d" + std::to_string(d) + "/f" + std::to_string(f),
             std::string(static_cast<size_t>(f * 97), static_cast<char>('a' + f % 26)),
             {.perm = static_cast<mode_t>(0600 + f % 8), .mtime = 1'100'000'000 + f});
    b.hardlink("d" + std::to_string(d) + "/link", "d" + std::to_string(d) + "/f7");
  }
  b.file("big", std::string(5 << 20, 'B'));  // the parser's direct path
  std::string tar = b.finish();
  std::set<std::string> trees[2];
  for (unsigned workers : {0u, 3u}) {
    ASSERT_TRUE(sys::remove_all(dest_));
    ASSERT_TRUE(sys::make_dirs(dest_));
    auto r = extract(tar, {.workers = workers, .queue_bytes = 4096});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->files, 1001u);
    list_tree(dest_, "", &trees[workers ? 1 : 0]);
    EXPECT_EQ(read("d3/f40"), std::string(40 * 97, 'a' + 40 % 26));
    EXPECT_EQ(lstat_of("d3/f7").st_nlink, 2u);
    EXPECT_EQ(lstat_of("d19").st_mtim.tv_sec, 1'000'000'019);
    EXPECT_EQ(lstat_of("d19/f3").st_mtim.tv_sec, 1'100'000'003);
  }
  EXPECT_EQ(trees[0], trees[1]);
}

TEST_F(Extract, FdReaderAndEmptyLayer) {
  std::string tar = TarBuilder(Compression::kGzip).finish();  // 1024 zero bytes, gzipped
  std::string path = base_ + "/layer.tar.gz";
  ASSERT_TRUE(sys::write_file_atomic(path, tar));
  auto fd = sys::open_path(path, O_RDONLY);
  ASSERT_TRUE(fd);
  FdReader reader(fd->get());
  auto r = extract_layer(reader, dest_, {.preserve_owners = is_root()});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->entries, 0u);
  ASSERT_EQ(::unlink(path.c_str()), 0);
}

}  // namespace
}  // namespace hako::archive
