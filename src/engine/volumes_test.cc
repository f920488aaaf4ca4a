#include "engine/volumes.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "image/metadata.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

class VolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-volumes-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto m = image::Metadata::open(dir_ + "/hako.db");
    ASSERT_TRUE(m) << m.error().message();
    meta_.emplace(std::move(*m));
    store_.emplace(meta_->database(), dir_);
  }
  void TearDown() override {
    store_.reset();
    meta_.reset();
    (void)std::system(("chmod -R u+rwx " + dir_ + " 2>/dev/null; rm -rf " + dir_).c_str());
  }

  void add_container(const std::string& id) {
    auto& db = meta_->database();
    ASSERT_TRUE(
        db.exec("INSERT OR IGNORE INTO images(id, manifest, manifest_media_type, created, "
                "size, added) VALUES ('sha256:aa', '{}', 'x', '', 0, 0)"));
    auto st = db.prepare("INSERT INTO containers(id, name, image) VALUES (?, ?, 'sha256:aa')");
    ASSERT_TRUE(st);
    st->bind(1, id).bind(2, "n" + id);
    ASSERT_TRUE(st->run());
  }

  static void write(const std::string& path, const std::string& data) {
    std::ofstream(path) << data;
  }
  static std::string read(const std::string& path) {
    auto r = sys::read_file(path);
    return r ? *r : "<" + r.error().message() + ">";
  }

  std::string dir_;
  std::optional<image::Metadata> meta_;
  std::optional<VolumeStore> store_;
};

TEST_F(VolumesTest, NamesFollowDocker) {
  EXPECT_TRUE(is_valid_volume_name("ab"));
  EXPECT_TRUE(is_valid_volume_name("a_b.c-d9"));
  EXPECT_FALSE(is_valid_volume_name("a"));
  EXPECT_FALSE(is_valid_volume_name("_ab"));
  EXPECT_FALSE(is_valid_volume_name(".ab"));
  EXPECT_FALSE(is_valid_volume_name("a/b"));
  EXPECT_FALSE(is_valid_volume_name("a b"));
  auto bad = store_->create("../x", {}, {});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("invalid characters"), std::string::npos);
}

TEST_F(VolumesTest, CreateIsIdempotentAndRecorded) {
  auto v = store_->create("data", {{"k", "v"}}, {});
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->mountpoint, dir_ + "/volumes/data/_data");
  EXPECT_FALSE(v->anonymous);
  struct stat st {};
  ASSERT_EQ(::stat(v->mountpoint.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  auto again = store_->create("data", {}, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->labels, nlohmann::json({{"k", "v"}}));  // the first one's
  auto found = store_->find("data");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->created, v->created);
  auto list = store_->list();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE(store_->create("data", {}, {}, "nfs"));
  auto missing = store_->find("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(VolumesTest, AnonymousGetsRandomHexName) {
  auto v = store_->create("", {}, {});
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(v->name.size(), 64u);
  EXPECT_EQ(v->name.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(v->anonymous);
  EXPECT_TRUE(v->labels.contains(kAnonymousVolumeLabel));
}

TEST_F(VolumesTest, LocalOptionsAreValidated) {
  auto t = store_->create("tmp1", {}, {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=100m"}});
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->options["o"], "size=100m");
  auto bad = store_->create("tmp2", {}, {{"foo", "bar"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("invalid option: \"foo\""), std::string::npos);
  auto lone = store_->create("tmp3", {}, {{"type", "tmpfs"}});
  ASSERT_FALSE(lone);
  EXPECT_NE(lone.error().message().find("missing required option: \"device\""), std::string::npos);
}

TEST_F(VolumesTest, RemoveRefusedWhileInUseEvenForced) {
  ASSERT_TRUE(store_->create("used", {}, {}));
  add_container("c1");
  EXPECT_FALSE(store_->attach("c2", "used"));  // no such container
  EXPECT_FALSE(store_->attach("c1", "nope"));
  ASSERT_TRUE(store_->attach("c1", "used"));
  ASSERT_TRUE(store_->attach("c1", "used"));  // idempotent
  auto users = store_->users("used");
  ASSERT_TRUE(users);
  EXPECT_EQ(*users, std::vector<std::string>{"c1"});
  auto r = store_->remove("used", true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "remove used: volume is in use - [c1]");
  ASSERT_TRUE(meta_->database().exec("DELETE FROM containers"));  // cascades
  ASSERT_TRUE(store_->remove("used", false));
  EXPECT_FALSE(sys::exists(dir_ + "/volumes/used"));
  auto missing = store_->remove("used", false);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->remove("used", true));
}

TEST_F(VolumesTest, PruneTakesAnonymousUnusedUnlessAll) {
  auto anon = store_->create("", {}, {});
  ASSERT_TRUE(anon);
  auto anon_used = store_->create("", {}, {});
  ASSERT_TRUE(anon_used);
  ASSERT_TRUE(store_->create("named", {{"keep", "no"}}, {}));
  ASSERT_TRUE(store_->create("kept", {{"keep", "yes"}}, {}));
  add_container("c1");
  ASSERT_TRUE(store_->attach("c1", anon_used->name));
  write(anon->mountpoint + "/f", std::string(1000, 'x'));
  ASSERT_EQ(::link((anon->mountpoint + "/f").c_str(), (anon->mountpoint + "/g").c_str()), 0);
  // Debris of a crashed create: cleared.
  ASSERT_EQ(::mkdir((dir_ + "/volumes/.tmp-x-1").c_str(), 0755), 0);

  auto r = store_->prune(false);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->removed, std::vector<std::string>{anon->name});
  EXPECT_EQ(r->reclaimed, 1000u);  // the hard link counted once
  EXPECT_FALSE(sys::exists(dir_ + "/volumes/" + anon->name));
  EXPECT_FALSE(sys::exists(dir_ + "/volumes/.tmp-x-1"));

  auto f = VolumeFilters::parse({"label!=keep=yes"}, VolumeFilters::For::kPrune);
  ASSERT_TRUE(f);
  r = store_->prune(true, *f);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->removed, std::vector<std::string>{"named"});
  auto left = store_->list();
  ASSERT_TRUE(left);
  EXPECT_EQ(left->size(), 2u);  // kept, and the used anonymous one
}

TEST_F(VolumesTest, FiltersParseAndMatch) {
  using F = VolumeFilters;
  EXPECT_FALSE(F::parse({"bogus=1"}, F::For::kList));
  EXPECT_FALSE(F::parse({"dangling=maybe"}, F::For::kList));
  EXPECT_FALSE(F::parse({"noequals"}, F::For::kList));
  EXPECT_FALSE(F::parse({"dangling=true"}, F::For::kPrune));
  VolumeRecord v;
  v.name = "webdata";
  v.driver = "local";
  v.labels = {{"a", "1"}, {"b", ""}};
  auto m = [&](std::vector<std::string> raw, bool in_use) {
    auto f = F::parse(raw, F::For::kList);
    EXPECT_TRUE(f) << f.error().message();
    return f && f->matches(v, in_use);
  };
  EXPECT_TRUE(m({"name=web"}, false));
  EXPECT_TRUE(m({"name=^web.*a$"}, false));
  EXPECT_FALSE(m({"name=^data"}, false));
  EXPECT_TRUE(m({"name=zzz", "name=data"}, false));  // any name
  EXPECT_TRUE(m({"dangling=true"}, false));
  EXPECT_FALSE(m({"dangling=true"}, true));
  EXPECT_TRUE(m({"dangling=false"}, true));
  EXPECT_TRUE(m({"label=a", "label=a=1", "label=b"}, false));  // all labels
  EXPECT_FALSE(m({"label=a=2"}, false));
  EXPECT_TRUE(m({"driver=local"}, false));
  EXPECT_FALSE(m({"driver=nfs"}, false));
}

TEST_F(VolumesTest, PopulateCopiesModesLinksAndTimes) {
  std::string rootfs = dir_ + "/rootfs";
  ASSERT_TRUE(sys::make_dirs(rootfs + "/srv/data/sub"));
  ASSERT_EQ(::chmod((rootfs + "/srv/data").c_str(), 0750), 0);
  write(rootfs + "/srv/data/a.txt", "hello");
  // Owners other than one's own need root; unprivileged runs check the mode and links only.
  const bool root = ::geteuid() == 0;
  const uid_t uid = root ? 1234 : ::geteuid();
  const gid_t gid = root ? 5678 : ::getegid();
  if (root) {
    ASSERT_EQ(::chown((rootfs + "/srv/data/a.txt").c_str(), uid, gid), 0);
    ASSERT_EQ(::chown((rootfs + "/srv/data").c_str(), uid, gid), 0);
    ASSERT_EQ(::mknod((rootfs + "/srv/data/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  }
  ASSERT_EQ(::chmod((rootfs + "/srv/data/a.txt").c_str(), 04711), 0);
  write(rootfs + "/srv/data/sub/b", "bee");
  ASSERT_EQ(::chmod((rootfs + "/srv/data/sub").c_str(), 0555), 0);
  ASSERT_EQ(::link((rootfs + "/srv/data/a.txt").c_str(), (rootfs + "/srv/data/hard").c_str()), 0);
  ASSERT_EQ(::symlink("../../etc/passwd", (rootfs + "/srv/data/rel").c_str()), 0);
  ASSERT_EQ(::mkfifo((rootfs + "/srv/data/fifo").c_str(), 0640), 0);
  const timespec old[2] = {{1000000000, 0}, {1000000000, 5}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (rootfs + "/srv/data/a.txt").c_str(), old, 0), 0);
  bool has_xattr = ::setxattr((rootfs + "/srv/data/a.txt").c_str(), "user.hako", "v", 1, 0) == 0;
  ASSERT_EQ(::utimensat(AT_FDCWD, (rootfs + "/srv/data").c_str(), old, 0), 0);

  auto v = store_->create("filled", {}, {});
  ASSERT_TRUE(v);
  ASSERT_TRUE(store_->populate(*v, rootfs, "/srv/data")) << "populate";
  const std::string d = v->mountpoint;
  EXPECT_EQ(read(d + "/a.txt"), "hello");
  EXPECT_EQ(read(d + "/sub/b"), "bee");
  struct stat a {
  }, h{}, data{}, sub{}, l{}, fifo{};
  ASSERT_EQ(::stat((d + "/a.txt").c_str(), &a), 0);
  ASSERT_EQ(::stat((d + "/hard").c_str(), &h), 0);
  ASSERT_EQ(::stat(d.c_str(), &data), 0);
  ASSERT_EQ(::stat((d + "/sub").c_str(), &sub), 0);
  ASSERT_EQ(::lstat((d + "/rel").c_str(), &l), 0);
  ASSERT_EQ(::lstat((d + "/fifo").c_str(), &fifo), 0);
  EXPECT_EQ(a.st_mode & 07777, 04711u);
  EXPECT_EQ(a.st_ino, h.st_ino);  // the hard link stays one
  EXPECT_EQ(a.st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(a.st_mtim.tv_nsec, 5);
  EXPECT_EQ(a.st_uid, uid);
  EXPECT_EQ(a.st_gid, gid);
  EXPECT_EQ(data.st_uid, uid);
  if (root) {
    struct stat n {};
    ASSERT_EQ(::lstat((d + "/null").c_str(), &n), 0);
    EXPECT_TRUE(S_ISCHR(n.st_mode));
    EXPECT_EQ(n.st_rdev, makedev(1, 3));
  }
  EXPECT_EQ(data.st_mode & 07777, 0750u);  // _data takes the image directory's mode
  EXPECT_EQ(data.st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(sub.st_mode & 07777, 0555u);
  EXPECT_TRUE(S_ISLNK(l.st_mode));
  EXPECT_TRUE(S_ISFIFO(fifo.st_mode));
  EXPECT_EQ(fifo.st_mode & 07777, 0640u);
  char target[64] = {};
  ASSERT_GT(::readlink((d + "/rel").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "../../etc/passwd");
  if (has_xattr) {
    char val[4] = {};
    EXPECT_EQ(::getxattr((d + "/a.txt").c_str(), "user.hako", val, sizeof val), 1);
  }
  EXPECT_FALSE(sys::exists(dir_ + "/volumes/filled/_data.populate"));

  // A volume that has content is left alone.
  ASSERT_EQ(::chmod((rootfs + "/srv/data/sub").c_str(), 0755), 0);
  write(rootfs + "/srv/data/new", "x");
  ASSERT_TRUE(store_->populate(*v, rootfs, "/srv/data"));
  EXPECT_FALSE(sys::exists(d + "/new"));
}

TEST_F(VolumesTest, PopulateResolvesSymlinksInsideRootfs) {
  std::string rootfs = dir_ + "/rootfs";
  std::string host = dir_ + "/host-secret";
  ASSERT_TRUE(sys::make_dirs(rootfs + "/etc"));
  ASSERT_TRUE(sys::make_dirs(host));
  write(host + "/key", "secret");
  write(rootfs + "/etc/inside", "image");
  // Absolute and relative escapes: both must land inside rootfs.
  ASSERT_EQ(::symlink(host.c_str(), (rootfs + "/abs").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../../../..", (rootfs + "/up").c_str()), 0);
  ASSERT_EQ(::symlink("/etc", (rootfs + "/etclink").c_str()), 0);

  auto a = store_->create("abs", {}, {});
  ASSERT_TRUE(a);
  ASSERT_TRUE(store_->populate(*a, rootfs, "/abs"));  // rootfs/<host path> does not exist
  EXPECT_FALSE(sys::exists(a->mountpoint + "/key"));

  auto u = store_->create("up", {}, {});
  ASSERT_TRUE(u);
  ASSERT_TRUE(store_->populate(*u, rootfs, "/up/etc"));  // ".." stops at rootfs
  EXPECT_EQ(read(u->mountpoint + "/inside"), "image");
  EXPECT_FALSE(sys::exists(u->mountpoint + "/passwd"));

  auto e = store_->create("etc", {}, {});
  ASSERT_TRUE(e);
  ASSERT_TRUE(store_->populate(*e, rootfs, "/etclink"));
  EXPECT_EQ(read(e->mountpoint + "/inside"), "image");

  auto m = store_->create("missing", {}, {});
  ASSERT_TRUE(m);
  EXPECT_TRUE(store_->populate(*m, rootfs, "/no/such/dir"));
  write(rootfs + "/file", "f");
  EXPECT_TRUE(store_->populate(*m, rootfs, "/file"));  // not a directory: nothing
}

}  // namespace
}  // namespace hako::engine
