#include "snapshot/layer_reader.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <string>

#include "archive/hostile_tar.h"
#include "content/sha256.h"
#include "snapshot/isal_api.h"
#include "sys/file.h"

namespace hako::snapshot {
namespace {

using archive::testing::TarBuilder;
using TarCompression = archive::testing::Compression;

// A memfd holding data, positioned at 0.
UniqueFd blob_fd(const std::string& data) {
  UniqueFd fd(::memfd_create("blob", MFD_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  EXPECT_TRUE(sys::write_all(fd.get(), data, "memfd"));
  EXPECT_EQ(::lseek(fd.get(), 0, SEEK_SET), 0);
  return fd;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

struct ReadAll {
  std::string data;
  oci::Digest digest;
  Compression compression;
};

Result<ReadAll> read_all(const std::string& blob, size_t chunk = 1000,
                         GzipDecoder gzip = GzipDecoder::kFastest) {
  UniqueFd fd = blob_fd(blob);
  LayerReader r(fd.get(), std::nullopt, gzip);
  ReadAll out;
  std::string buf(chunk, '\0');
  while (true) {
    HAKO_TRY_ASSIGN(size_t n, r.read(buf.data(), buf.size()));
    if (n == 0) break;
    out.data.append(buf.data(), n);
  }
  out.digest = r.digest();
  out.compression = r.compression();
  return out;
}

std::string sample_tar(TarCompression c) {
  TarBuilder b(c);
  b.dir("etc");
  b.file("etc/hostname", "box\n");
  b.file("big", std::string(3 << 20, 'x') + "end");
  return b.finish();
}

TEST(LayerReader, PlainGzipAndZstdGiveTheSameStreamAndDigest) {
  std::string plain = sample_tar(TarCompression::kNone);
  oci::Digest want = content::Sha256::of(plain);
  struct Case {
    TarCompression in;
    Compression detected;
  };
  for (auto c : {Case{TarCompression::kNone, Compression::kNone},
                 Case{TarCompression::kGzip, Compression::kGzip},
                 Case{TarCompression::kZstd, Compression::kZstd}}) {
    auto r = read_all(sample_tar(c.in));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->compression, c.detected);
    EXPECT_EQ(r->data.size(), plain.size()) << compression_name(c.detected);
    EXPECT_TRUE(r->data == plain) << compression_name(c.detected);
    EXPECT_EQ(r->digest, want) << compression_name(c.detected);
  }
}

// Every gzip test runs with both inflaters; ISA-L's only where libisal.so.2 loads (Debian's
// libisal2, which the install script brings), and says so otherwise.
class Gunzip : public ::testing::TestWithParam<GzipDecoder> {
 protected:
  void SetUp() override {
    if (GetParam() == GzipDecoder::kIsal && load_isal() == nullptr)
      GTEST_SKIP() << "libisal.so.2 does not load (apt-get install libisal2): ISA-L untested";
  }
};
INSTANTIATE_TEST_SUITE_P(Decoders, Gunzip,
                         ::testing::Values(GzipDecoder::kZlib, GzipDecoder::kIsal),
                         [](const auto& info) {
                           return info.param == GzipDecoder::kZlib ? "zlib" : "isal";
                         });

TEST_P(Gunzip, ALayerGivesThePlainStreamAndDigest) {
  std::string plain = sample_tar(TarCompression::kNone);
  auto r = read_all(sample_tar(TarCompression::kGzip), 1000, GetParam());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->compression, Compression::kGzip);
  EXPECT_TRUE(r->data == plain);
  EXPECT_EQ(r->digest, content::Sha256::of(plain));
}

TEST_P(Gunzip, AMemberSpanningManyInputBlocks) {
  // Incompressible bytes: the member is larger than the reader's 256 KiB input block, so the
  // inflater's state crosses refills mid-member.
  std::string noise(1 << 20, '\0');
  uint32_t x = 2463534242u;
  for (char& c : noise) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  auto r = read_all(gzip(noise) + gzip(noise), 100000, GetParam());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->data == noise + noise);
}

TEST_P(Gunzip, ConcatenatedMembersAreOneStream) {
  for (size_t chunk : {size_t{3}, size_t{1} << 16}) {
    auto r = read_all(gzip("hello ") + gzip("world") + gzip(std::string(300000, 'w')), chunk,
                      GetParam());
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->data, "hello world" + std::string(300000, 'w'));
  }
}

TEST_P(Gunzip, TruncatedAndCorruptStreamsFail) {
  std::string gz = sample_tar(TarCompression::kGzip);
  for (size_t cut : {size_t{5}, gz.size() / 2, gz.size() - 4}) {
    auto r = read_all(gz.substr(0, cut), 1000, GetParam());
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_NE(r.error().message().find("gzip"), std::string::npos) << r.error().message();
  }
  std::string bad = gzip(std::string(100000, 'q'));
  for (size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
  EXPECT_FALSE(read_all(bad, 1000, GetParam()));
  // A wrong CRC-32 in the trailer: the data inflates, the check must still fail it.
  std::string crc = gzip(std::string(5000, 'c'));
  crc[crc.size() - 8] = static_cast<char>(crc[crc.size() - 8] ^ 1);
  auto r = read_all(crc, 1000, GetParam());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("gzip"), std::string::npos) << r.error().message();
  // Bytes after the last member that are no gzip member.
  EXPECT_FALSE(read_all(gzip("x") + "junk", 1000, GetParam()));
}

TEST(LayerReader, ConcatenatedGzipMembersAreOneStream) {
  auto r = read_all(gzip("hello ") + gzip("world"), 3);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->data, "hello world");
  EXPECT_EQ(r->digest, content::Sha256::of("hello world"));
}

TEST(LayerReader, TinyPlainInputPassesThrough) {
  auto r = read_all("ab");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->data, "ab");
  auto empty = read_all("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->data, "");
}

TEST(LayerReader, TruncatedStreamsFail) {
  std::string gz = sample_tar(TarCompression::kGzip);
  auto g = read_all(gz.substr(0, gz.size() / 2));
  ASSERT_FALSE(g);
  EXPECT_NE(g.error().message().find("gzip"), std::string::npos) << g.error().message();
  std::string zs = sample_tar(TarCompression::kZstd);
  auto z = read_all(zs.substr(0, zs.size() / 2));
  ASSERT_FALSE(z);
  EXPECT_NE(z.error().message().find("zstd"), std::string::npos) << z.error().message();
}

TEST(LayerReader, CorruptGzipFails) {
  std::string gz = gzip(std::string(100000, 'q'));
  for (size_t i = 20; i < 60; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  EXPECT_FALSE(read_all(gz));
}

TEST(LayerReader, DrainCoversTrailingBytesAndHonoursTheLimit) {
  UniqueFd fd = blob_fd(gzip(std::string(10000, 'z')));
  LayerReader r(fd.get());
  char c;
  ASSERT_TRUE(r.read(&c, 1));
  ASSERT_TRUE(r.drain(1 << 20));
  EXPECT_EQ(r.bytes_out(), 10000u);
  EXPECT_EQ(r.digest(), content::Sha256::of(std::string(10000, 'z')));

  UniqueFd fd2 = blob_fd(gzip(std::string(1 << 20, 'z')));
  LayerReader r2(fd2.get());
  auto s = r2.drain(1000);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace hako::snapshot
