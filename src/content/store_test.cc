#include "content/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sys/file.h"

namespace hako::content {
namespace {

using oci::Digest;

std::string pattern(size_t size, unsigned seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 2654435761u + seed) >> 11);
  return s;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hako-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto s = Store::open(root_);
    ASSERT_TRUE(s) << s.error().message();
    store_.emplace(std::move(*s));
  }
  void TearDown() override { (void)sys::remove_all(root_); }

  size_t ingest_entries() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(root_ + "/ingest"))
      ++n;
    return n;
  }

  std::string root_;
  std::optional<Store> store_;
};

TEST_F(StoreTest, IngestCommitAndRead) {
  auto d = store_->ingest_bytes("hello");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->to_string(),
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_TRUE(store_->has(*d));
  EXPECT_EQ(*store_->size(*d), 5u);
  EXPECT_EQ(*store_->read_blob(*d), "hello");
  EXPECT_TRUE(store_->verify_blob(*d));
  EXPECT_EQ(store_->blob_path(*d), root_ + "/blobs/sha256/" + std::string(d->hex()));
  struct stat st {};
  ASSERT_EQ(::stat(store_->blob_path(*d).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);
  auto fd = store_->open_blob(*d);
  ASSERT_TRUE(fd);
  EXPECT_EQ(*sys::read_fd(fd->get()), "hello");
  EXPECT_EQ(*store_->list(), std::vector<Digest>{*d});
  EXPECT_EQ(ingest_entries(), 0u);
  // Idempotent.
  EXPECT_TRUE(store_->ingest_bytes("hello"));
}

TEST_F(StoreTest, StreamingWriterWithExpectedSize) {
  std::string data = pattern(3 << 20, 1);
  Digest d = Sha256::of(data);
  auto w = store_->begin_ingest(d, data.size());
  ASSERT_TRUE(w) << w.error().message();
  for (size_t off = 0; off < data.size(); off += 100000)
    ASSERT_TRUE(w->write(std::string_view(data).substr(off, 100000)));
  EXPECT_EQ(w->written(), data.size());
  EXPECT_FALSE(store_->has(d));  // invisible until commit
  auto s = w->commit();
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_TRUE(store_->has(d));
  EXPECT_TRUE(store_->verify_blob(d));
  EXPECT_FALSE(w->commit());  // finished
}

TEST_F(StoreTest, UnknownDigestIngestStoresUnderTheComputedDigest) {
  auto w = store_->begin_ingest_unknown(10);
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_TRUE(w->expected().empty());
  ASSERT_TRUE(w->write("layer"));
  ASSERT_TRUE(w->commit());
  EXPECT_EQ(w->expected(), Sha256::of("layer"));
  EXPECT_EQ(*store_->read_blob(Sha256::of("layer")), "layer");
  // The bound is enforced while writing, and the temp file goes.
  auto big = store_->begin_ingest_unknown(4);
  ASSERT_TRUE(big);
  auto s = big->write("12345");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("limit of 4 bytes"), std::string::npos);
  EXPECT_EQ(ingest_entries(), 0u);
}

TEST_F(StoreTest, DigestMismatchLeavesNothing) {
  Digest want = Sha256::of("abc");
  auto w = store_->begin_ingest(want);
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write("abd"));
  auto s = w->commit();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "blob " + want.to_string() + ": digest mismatch: got " + Sha256::of("abd").to_string());
  EXPECT_FALSE(store_->has(want));
  EXPECT_EQ(ingest_entries(), 0u);
  EXPECT_TRUE(store_->list()->empty());

  // Through ingest_file too.
  std::string path = root_ + "/input";
  ASSERT_TRUE(sys::write_file_atomic(path, "abd"));
  s = store_->ingest_file(path, want, 3);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message().find("digest mismatch"), std::string::npos);
  EXPECT_EQ(ingest_entries(), 0u);
}

TEST_F(StoreTest, ExpectedSizeIsEnforcedWhileWriting) {
  Digest want = Sha256::of("abc");
  auto w = store_->begin_ingest(want, 3);
  ASSERT_TRUE(w);
  auto s = w->write("abcd");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "blob " + want.to_string() + ": size exceeds the expected 3 bytes");
  EXPECT_EQ(ingest_entries(), 0u);
  EXPECT_FALSE(w->write("a"));  // poisoned

  auto short_w = store_->begin_ingest(want, 3);
  ASSERT_TRUE(short_w->write("ab"));
  s = short_w->commit();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "blob " + want.to_string() + ": size mismatch: got 2 bytes, want 3");

  // An oversized stream is cut off one byte past the expected size, not read to the end.
  std::string path = root_ + "/big";
  ASSERT_TRUE(sys::write_file_atomic(path, pattern(8 << 20, 2)));
  auto fd = sys::open_path(path, O_RDONLY);
  ASSERT_TRUE(fd);
  s = store_->ingest_fd(fd->get(), want, 3);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(::lseek(fd->get(), 0, SEEK_CUR), 4);
  EXPECT_EQ(ingest_entries(), 0u);
}

TEST_F(StoreTest, WriterDestroyedWithoutCommitAborts) {
  Digest want = Sha256::of("abc");
  {
    auto w = store_->begin_ingest(want);
    ASSERT_TRUE(w->write("ab"));
    EXPECT_EQ(ingest_entries(), 1u);
    Writer moved = std::move(*w);  // moved-from must not remove the file the new owner writes
    EXPECT_EQ(ingest_entries(), 1u);
  }
  EXPECT_EQ(ingest_entries(), 0u);
  EXPECT_FALSE(store_->has(want));
}

TEST_F(StoreTest, ConcurrentWritersOfTheSameBlob) {
  std::string data = pattern(2 << 20, 3);
  Digest d = Sha256::of(data);
  constexpr int kThreads = 8;
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto w = store_->begin_ingest(d, data.size());
      if (!w) {
        results[t] = std::move(w).error();
        return;
      }
      for (size_t off = 0; off < data.size(); off += 4096) {
        if (auto s = w->write(std::string_view(data).substr(off, 4096)); !s) {
          results[t] = s;
          return;
        }
      }
      results[t] = w->commit();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_TRUE(r) << r.error().message();
  EXPECT_EQ(*store_->read_blob(d, 4 << 20), data);
  EXPECT_EQ(store_->list()->size(), 1u);
  EXPECT_EQ(ingest_entries(), 0u);
}

TEST_F(StoreTest, ConcurrentProcessesOfTheSameBlob) {
  std::string data = pattern(1 << 20, 4);
  Digest d = Sha256::of(data);
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = Store::open(root_);  // each process opens its own store, as separate commands do
      if (!s) ::_exit(2);
      auto w = s->begin_ingest(d, data.size());
      if (!w) ::_exit(3);
      for (size_t off = 0; off < data.size(); off += 8192)
        if (!w->write(std::string_view(data).substr(off, 8192))) ::_exit(4);
      ::_exit(w->commit() ? 0 : 5);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  EXPECT_TRUE(store_->verify_blob(d));
  EXPECT_EQ(ingest_entries(), 0u);
}

TEST_F(StoreTest, CleanupRemovesOnlyAbandonedIngests) {
  Digest want = Sha256::of("abc");
  // A writer killed mid-ingest (kill -9: no destructor runs) leaves its temp file behind.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto w = store_->begin_ingest(want);
    if (w && w->write("ab")) ::kill(::getpid(), SIGKILL);
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(ingest_entries(), 1u);

  auto live = store_->begin_ingest(want);  // a writer still at work must survive cleanup
  ASSERT_TRUE(live->write("a"));
  EXPECT_EQ(ingest_entries(), 2u);

  EXPECT_EQ(*store_->cleanup_ingest(std::chrono::hours(1)), 0u);  // debris too recent
  EXPECT_EQ(*store_->cleanup_ingest(std::chrono::seconds(0)), 1u);
  EXPECT_EQ(ingest_entries(), 1u);
  ASSERT_TRUE(live->write("bc"));
  EXPECT_TRUE(live->commit());
  EXPECT_TRUE(store_->has(want));
  EXPECT_EQ(ingest_entries(), 0u);
}

TEST_F(StoreTest, ReadingDetectsACorruptedBlob) {
  std::string doc = R"({"schemaVersion":2})";
  Digest d = *store_->ingest_bytes(doc);
  std::string path = store_->blob_path(d);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  doc[3] = 'X';
  ASSERT_TRUE(sys::write_file(path, doc));
  auto r = store_->read_blob(d);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("stored content does not match its digest"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(store_->verify_blob(d));
}

TEST_F(StoreTest, ReadLimitAndMissingBlobs) {
  Digest d = *store_->ingest_bytes(pattern(1000, 5));
  auto r = store_->read_blob(d, 999);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kResourceExhausted);

  Digest missing = Sha256::of("nope");
  EXPECT_FALSE(store_->has(missing));
  auto fd = store_->open_blob(missing);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(fd.error().message(),
            "open blob " + missing.to_string() + ": no such file or directory");
  EXPECT_EQ(store_->size(missing).error().code(), ErrorCode::kNotFound);

  ASSERT_TRUE(store_->remove(d));
  EXPECT_FALSE(store_->has(d));
  EXPECT_EQ(store_->remove(d).error().code(), ErrorCode::kNotFound);
}

TEST_F(StoreTest, ListSkipsForeignNamesAndSha512IsRefused) {
  ASSERT_TRUE(sys::write_file_atomic(root_ + "/blobs/sha256/README", "x"));
  Digest d = *store_->ingest_bytes("x");
  EXPECT_EQ(*store_->list(), std::vector<Digest>{d});
  auto sha512 = *Digest::parse("sha512:" + std::string(128, 'a'));
  auto w = store_->begin_ingest(sha512);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code(), ErrorCode::kNotImplemented);
  EXPECT_FALSE(store_->has(sha512));
}

}  // namespace
}  // namespace hako::content
