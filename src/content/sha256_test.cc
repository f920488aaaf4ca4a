#include "content/sha256.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "sys/file.h"

namespace hako::content {
namespace {

const char* kEmpty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const char* kAbc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256::of("").to_string(), kEmpty);
  EXPECT_EQ(Sha256::of("abc").to_string(), kAbc);
  Sha256 h;
  h.update("a");
  h.update("");
  h.update("bc");
  EXPECT_EQ(h.finish().to_string(), kAbc);
  h.update("abc");  // starts over after finish()
  EXPECT_EQ(h.finish().to_string(), kAbc);
}

// A temp file holding `data`, opened for reading.
UniqueFd temp_fd(const std::string& data) {
  char path[] = "/tmp/hako-sha-XXXXXX";
  int fd = ::mkstemp(path);
  EXPECT_GE(fd, 0);
  ::unlink(path);
  EXPECT_TRUE(sys::write_all(fd, data, path));
  ::lseek(fd, 0, SEEK_SET);
  return UniqueFd(fd);
}

TEST(HashingReader, PassesBytesThroughAndVerifies) {
  UniqueFd fd = temp_fd("abc");
  HashingReader in(fd.get());
  char buf[2];
  std::string seen;
  while (true) {
    auto n = in.read(buf, sizeof buf);
    ASSERT_TRUE(n);
    if (*n == 0) break;
    seen.append(buf, *n);
  }
  EXPECT_EQ(seen, "abc");
  EXPECT_EQ(in.bytes_read(), 3u);
  EXPECT_EQ(in.digest().to_string(), kAbc);
}

TEST(HashingReader, ReportsMismatchAndLimit) {
  auto abc = *oci::Digest::parse(kAbc);
  UniqueFd fd = temp_fd("abd");
  auto s = HashingReader(fd.get()).verify(abc, 3);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message().rfind(std::string(kAbc) + ": digest mismatch: got sha256:", 0), 0u)
      << s.error().message();

  fd = temp_fd("abc");
  s = HashingReader(fd.get()).verify(abc, 4);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), std::string(kAbc) + ": size mismatch: got 3 bytes, want 4");

  fd = temp_fd(std::string(1 << 20, 'x'));
  HashingReader limited(fd.get(), 10);
  s = limited.verify(abc, 10);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(limited.bytes_read(), 11u);  // stopped one byte past the limit
  EXPECT_EQ(::lseek(fd.get(), 0, SEEK_CUR), 11);
}

// Not a test of speed (no timing is asserted): prints SHA-256 throughput for the report.
// Run with --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'.
TEST(Sha256, DISABLED_Throughput) {
  constexpr size_t kTotal = 256u << 20;
  constexpr size_t kChunk = 1u << 20;
  std::string chunk(kChunk, '\0');
  for (size_t i = 0; i < kChunk; ++i) chunk[i] = static_cast<char>(i * 2654435761u >> 13);
  Sha256 h;
  auto start = std::chrono::steady_clock::now();
  for (size_t done = 0; done < kTotal; done += kChunk) h.update(chunk);
  oci::Digest d = h.finish();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sha256 of 256 MiB: %.3f s, %.0f MB/s (%.0f MiB/s) [%s]\n", secs, kTotal / secs / 1e6,
              kTotal / secs / (1 << 20), d.to_string().c_str());
}

}  // namespace
}  // namespace hako::content
