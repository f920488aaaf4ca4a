#include "snapshot/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <thread>

#include "archive/hostile_tar.h"
#include "content/sha256.h"
#include "snapshot/chain_id.h"
#include "sys/file.h"

namespace hako::snapshot {
namespace {

using archive::testing::TarBuilder;
using TarCompression = archive::testing::Compression;

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.insert(n);
  }
  ::closedir(d);
  return out;
}

// Layer i: its own file, a directory shared with the others, and `big` bytes of data.
std::string layer_tar(int i, TarCompression c, size_t big = 0) {
  TarBuilder b(c);
  b.dir("shared");
  b.file("shared/file" + std::to_string(i), "layer " + std::to_string(i) + "\n");
  b.file("layer" + std::to_string(i), std::string(100 + i, 'a' + i % 26));
  for (size_t k = 0; k < big; ++k)
    b.file("big/" + std::to_string(k), std::string(64 << 10, static_cast<char>('0' + k % 10)));
  return b.finish();
}

class LayerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-snapshot-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto b = content::Store::open(root_ + "/content");
    ASSERT_TRUE(b) << b.error().message();
    blobs_.emplace(std::move(*b));
    auto s = LayerStore::open(root_);
    ASSERT_TRUE(s) << s.error().message();
    store_.emplace(std::move(*s));
    // Unprivileged: files stay ours and device nodes are left out.
    options_.extract.preserve_owners = false;
    options_.extract.devices = archive::DevicePolicy::kSkip;
  }
  void TearDown() override { ASSERT_TRUE(sys::remove_all(root_)); }

  // Stores the blob and returns the layer with its ids, on top of `parent`.
  LayerToUnpack add_layer(const std::string& blob, const std::string& uncompressed,
                          const std::optional<oci::Digest>& parent) {
    auto d = blobs_->ingest_bytes(blob);
    EXPECT_TRUE(d);
    oci::Digest diff = content::Sha256::of(uncompressed);
    return LayerToUnpack{*d, diff, chain_id(parent, diff), parent};
  }
  // n layers stacked, layer i compressed with `c`.
  std::vector<LayerToUnpack> stack(int n, TarCompression c = TarCompression::kNone,
                                   size_t big = 0) {
    std::vector<LayerToUnpack> out;
    std::optional<oci::Digest> parent;
    for (int i = 0; i < n; ++i) {
      out.push_back(
          add_layer(layer_tar(i, c, big), layer_tar(i, TarCompression::kNone, big), parent));
      parent = out.back().chain_id;
    }
    return out;
  }
  std::set<std::string> layers_dir() { return names_in(root_ + "/layers"); }

  std::string root_;
  std::optional<content::Store> blobs_;
  std::optional<LayerStore> store_;
  UnpackOptions options_;
};

TEST_F(LayerStoreTest, UnpacksSeveralLayersInParallel) {
  auto layers = stack(6);
  options_.parallel = 4;
  auto r = store_->unpack(*blobs_, layers, options_);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 6u);
  for (int i = 0; i < 6; ++i) {
    const auto& l = layers[i];
    EXPECT_EQ((*r)[i].chain_id, l.chain_id);
    EXPECT_TRUE((*r)[i].unpacked);
    EXPECT_TRUE(store_->has(l.chain_id));
    std::string diff = store_->diff_path(l.chain_id);
    EXPECT_EQ(names_in(diff + "/shared"), std::set<std::string>{"file" + std::to_string(i)});
    auto own = sys::read_file(diff + "/layer" + std::to_string(i));
    ASSERT_TRUE(own);
    EXPECT_EQ(own->size(), 100u + i);
    auto size = store_->size(l.chain_id);
    ASSERT_TRUE(size);
    EXPECT_EQ(*size, (*r)[i].size);
    EXPECT_EQ(*size, 100u + i + std::string("layer 0\n").size());
    auto info = store_->info(l.chain_id);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->diff_id, l.diff_id);
    EXPECT_EQ(info->parent, l.parent);
  }
  auto listed = store_->list();
  ASSERT_TRUE(listed);
  std::vector<oci::Digest> want;
  for (const auto& l : layers) want.push_back(l.chain_id);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(*listed, want);
  // Top first, as overlay's lowerdir wants them.
  auto lowers = store_->lower_dirs(layers.back().chain_id);
  ASSERT_TRUE(lowers) << lowers.error().message();
  ASSERT_EQ(lowers->size(), 6u);
  EXPECT_EQ(lowers->front(), store_->diff_path(layers[5].chain_id));
  EXPECT_EQ(lowers->back(), store_->diff_path(layers[0].chain_id));
  // Nothing but the six layers: no staging, no lock files.
  EXPECT_EQ(layers_dir().size(), 6u);
}

TEST_F(LayerStoreTest, SecondUnpackSkipsPresentLayersAndDuplicates) {
  auto layers = stack(3);
  ASSERT_TRUE(store_->unpack(*blobs_, {layers[0], layers[1]}, options_));
  // A marker proves the present layers are not rewritten.
  ASSERT_TRUE(sys::write_file_atomic(store_->diff_path(layers[0].chain_id) + "/marker", "x"));
  auto r = store_->unpack(*blobs_, {layers[0], layers[1], layers[2], layers[2]}, options_);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_FALSE((*r)[0].unpacked);
  EXPECT_FALSE((*r)[1].unpacked);
  EXPECT_TRUE((*r)[2].unpacked);
  EXPECT_FALSE((*r)[3].unpacked);
  EXPECT_EQ((*r)[0].size, *store_->size(layers[0].chain_id));
  EXPECT_TRUE(sys::exists(store_->diff_path(layers[0].chain_id) + "/marker"));
}

TEST_F(LayerStoreTest, DiffIdMismatchLeavesNothing) {
  auto good = stack(2);
  LayerToUnpack bad = add_layer(layer_tar(7, TarCompression::kGzip),
                                layer_tar(8, TarCompression::kNone), std::nullopt);
  auto r = store_->unpack(*blobs_, {good[0], bad, good[1]}, options_);
  ASSERT_FALSE(r);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("layer " + bad.chain_id.to_string()), std::string::npos) << m;
  EXPECT_NE(m.find("blob " + bad.blob.to_string()), std::string::npos) << m;
  EXPECT_NE(m.find("want " + bad.diff_id.to_string()), std::string::npos) << m;
  EXPECT_NE(m.find("got " + content::Sha256::of(layer_tar(7, TarCompression::kNone)).to_string()),
            std::string::npos)
      << m;
  EXPECT_FALSE(store_->has(bad.chain_id));
  // The good layers are finished anyway; the bad one left no staging dir and no lock.
  EXPECT_TRUE(store_->has(good[0].chain_id));
  EXPECT_TRUE(store_->has(good[1].chain_id));
  EXPECT_EQ(layers_dir().size(), 2u);
}

TEST_F(LayerStoreTest, WrongChainIdIsRefusedBeforeReading) {
  auto layers = stack(2);
  layers[1].parent = std::nullopt;
  auto r = store_->unpack(*blobs_, {layers[1]}, options_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(layers_dir().empty());
}

TEST_F(LayerStoreTest, MissingBlobIsAnError) {
  auto layers = stack(1);
  ASSERT_TRUE(blobs_->remove(layers[0].blob));
  auto r = store_->unpack(*blobs_, layers, options_);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find(layers[0].blob.hex()), std::string::npos)
      << r.error().message();
  EXPECT_TRUE(layers_dir().empty());
}

TEST_F(LayerStoreTest, GzipAndZstdLayers) {
  auto gz = add_layer(layer_tar(1, TarCompression::kGzip), layer_tar(1, TarCompression::kNone),
                      std::nullopt);
  auto zs = add_layer(layer_tar(2, TarCompression::kZstd), layer_tar(2, TarCompression::kNone),
                      gz.chain_id);
  auto r = store_->unpack(*blobs_, {gz, zs}, options_);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)[0].compression, Compression::kGzip);
  EXPECT_EQ((*r)[1].compression, Compression::kZstd);
  EXPECT_EQ(*sys::read_file(store_->diff_path(gz.chain_id) + "/shared/file1"), "layer 1\n");
  EXPECT_EQ(*sys::read_file(store_->diff_path(zs.chain_id) + "/shared/file2"), "layer 2\n");
}

TEST_F(LayerStoreTest, SameLayerFromTwoThreadsIsUnpackedOnce) {
  auto layers = stack(1, TarCompression::kGzip, 64);
  Result<std::vector<UnpackResult>> a = Error(ErrorCode::kInternal, "not run");
  Result<std::vector<UnpackResult>> b = a;
  std::thread ta([&] { a = store_->unpack(*blobs_, layers, options_); });
  std::thread tb([&] { b = store_->unpack(*blobs_, layers, options_); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(int((*a)[0].unpacked) + int((*b)[0].unpacked), 1);
  EXPECT_EQ(names_in(store_->diff_path(layers[0].chain_id) + "/big").size(), 64u);
  EXPECT_EQ(layers_dir().size(), 1u);
}

TEST_F(LayerStoreTest, SameLayerFromTwoProcessesIsUnpackedOnce) {
  auto layers = stack(1, TarCompression::kZstd, 128);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::vector<pid_t> kids;
  for (int k = 0; k < 2; ++k) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Its own store objects, as a second hako process would have.
      auto s = LayerStore::open(root_);
      auto bl = content::Store::open(root_ + "/content");
      if (!s || !bl) ::_exit(2);
      auto r = s->unpack(*bl, layers, options_);
      if (!r) ::_exit(3);
      char c = (*r)[0].unpacked ? '1' : '0';
      if (::write(fds[1], &c, 1) != 1) ::_exit(4);
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  ::close(fds[1]);
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  char got[3] = {};
  EXPECT_EQ(::read(fds[0], got, sizeof got), 2);
  ::close(fds[0]);
  EXPECT_EQ(int(got[0] == '1') + int(got[1] == '1'), 1) << got;
  EXPECT_EQ(names_in(store_->diff_path(layers[0].chain_id) + "/big").size(), 128u);
  EXPECT_EQ(layers_dir().size(), 1u);
}

TEST_F(LayerStoreTest, RemoveLeavesNothing) {
  auto layers = stack(2);
  ASSERT_TRUE(store_->unpack(*blobs_, layers, options_));
  ASSERT_TRUE(store_->remove(layers[1].chain_id));
  EXPECT_FALSE(store_->has(layers[1].chain_id));
  EXPECT_TRUE(store_->has(layers[0].chain_id));
  EXPECT_EQ(layers_dir(), std::set<std::string>{std::string(layers[0].chain_id.hex())});
  auto again = store_->remove(layers[1].chain_id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound);
  // Its parent's chain is still usable; its own lower dirs are gone.
  EXPECT_TRUE(store_->lower_dirs(layers[0].chain_id));
  EXPECT_FALSE(store_->lower_dirs(layers[1].chain_id));
}

TEST_F(LayerStoreTest, CleanupRemovesDebrisOfDeadOwnersOnly) {
  const std::string layers = root_ + "/layers/";
  const std::string hex_dead(64, 'd'), hex_live(64, 'e'), hex_trash(64, 'f'), hex_lock(64, '1');
  // A crashed unpack: the child takes the lock and creates its staging dir, then is killed -9.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int fd = ::open((layers + ".lock-" + hex_dead).c_str(), O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(1);
    if (::mkdir((layers + ".staging-" + hex_dead + "-1-ab").c_str(), 0700) != 0) ::_exit(1);
    if (::mkdir((layers + ".staging-" + hex_dead + "-1-ab/diff").c_str(), 0700) != 0) ::_exit(1);
    if (::write(ready[1], "x", 1) != 1) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  ::close(ready[1]);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  // A live unpack of another layer: we hold its lock.
  ASSERT_TRUE(sys::make_dirs(layers + ".staging-" + hex_live + "-2-cd/diff"));
  int live = ::open((layers + ".lock-" + hex_live).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(live, 0);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);
  // Trash from a crashed remove, with files in it, and a lock file nobody holds.
  ASSERT_TRUE(sys::make_dirs(layers + ".trash-" + hex_trash + "-3-ef/diff/usr"));
  ASSERT_TRUE(sys::write_file_atomic(layers + ".trash-" + hex_trash + "-3-ef/meta.json", "{}"));
  ASSERT_TRUE(sys::write_file_atomic(layers + ".lock-" + hex_lock, ""));
  // Something that is not ours to judge.
  ASSERT_TRUE(sys::make_dirs(layers + ".staging-notahex"));

  auto n = store_->cleanup();
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(*n, 2u);
  EXPECT_EQ(layers_dir(), (std::set<std::string>{".staging-" + hex_live + "-2-cd",
                                                 ".lock-" + hex_live, ".staging-notahex"}));
  ::close(live);
  auto again = store_->cleanup();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 1u);
  EXPECT_EQ(layers_dir(), std::set<std::string>{".staging-notahex"});
}

// Feeds `bytes` through a pipe in small writes from another thread, as a download would, into
// unpack_stream; `confirm` is what the download says at the end.
Result<UnpackResult> unpack_through_pipe(const LayerStore& store, const LayerToUnpack& layer,
                                         const std::string& bytes, Status confirm_status,
                                         const UnpackOptions& options, bool* confirmed) {
  int p[2];
  EXPECT_EQ(::pipe(p), 0);
  std::thread writer([fd = p[1], &bytes] {
    for (size_t off = 0; off < bytes.size(); off += 4096)
      if (!sys::write_all(fd, std::string_view(bytes).substr(off, 4096), "pipe")) break;
    ::close(fd);
  });
  auto r = store.unpack_stream(
      p[0], layer,
      [&]() -> Status {
        *confirmed = true;
        return confirm_status;
      },
      options);
  char buf[4096];
  while (::read(p[0], buf, sizeof buf) > 0) {
  }
  writer.join();
  ::close(p[0]);
  return r;
}

TEST_F(LayerStoreTest, UnpackStreamPublishesOnlyAfterConfirm) {
  std::string blob = layer_tar(3, TarCompression::kGzip, 4);
  LayerToUnpack l = add_layer(blob, layer_tar(3, TarCompression::kNone, 4), std::nullopt);
  bool confirmed = false;
  auto r = unpack_through_pipe(*store_, l, blob, ok(), options_, &confirmed);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(confirmed);
  EXPECT_TRUE(r->unpacked);
  EXPECT_EQ(r->compression, Compression::kGzip);
  EXPECT_TRUE(store_->has(l.chain_id));
  auto own = sys::read_file(store_->diff_path(l.chain_id) + "/layer3");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->size(), 103u);
  EXPECT_EQ(names_in(store_->diff_path(l.chain_id) + "/big").size(), 4u);
  EXPECT_EQ(layers_dir(), std::set<std::string>{std::string(l.chain_id.hex())});
  // Present now: a second stream is not unpacked, and still confirmed.
  confirmed = false;
  r = unpack_through_pipe(*store_, l, blob, ok(), options_, &confirmed);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(confirmed);
  EXPECT_FALSE(r->unpacked);
}

TEST_F(LayerStoreTest, UnpackStreamRefusedByConfirmLeavesNothing) {
  std::string blob = layer_tar(1, TarCompression::kZstd, 2);
  LayerToUnpack l = add_layer(blob, layer_tar(1, TarCompression::kNone, 2), std::nullopt);
  bool confirmed = false;
  auto r = unpack_through_pipe(*store_, l, blob, invalid_argument("digest mismatch"), options_,
                               &confirmed);
  ASSERT_FALSE(r);
  EXPECT_TRUE(confirmed);
  EXPECT_NE(r.error().message().find("digest mismatch"), std::string::npos);
  EXPECT_FALSE(store_->has(l.chain_id));
  EXPECT_TRUE(layers_dir().empty());
}

TEST_F(LayerStoreTest, UnpackStreamCutShortLeavesNothing) {
  std::string blob = layer_tar(2, TarCompression::kGzip, 8);
  LayerToUnpack l = add_layer(blob, layer_tar(2, TarCompression::kNone, 8), std::nullopt);
  bool confirmed = false;
  auto r =
      unpack_through_pipe(*store_, l, blob.substr(0, blob.size() / 2), ok(), options_, &confirmed);
  ASSERT_FALSE(r);
  EXPECT_FALSE(confirmed);
  EXPECT_FALSE(store_->has(l.chain_id));
  EXPECT_TRUE(layers_dir().empty());
}

}  // namespace
}  // namespace hako::snapshot
