// LayerReader: the uncompressed bytes of a layer blob, hashed as they pass, for extract_layer.
//
// A layer blob is a tar, a gzip'd tar or a zstd'd tar; which one is read from its first bytes
// (gzip 1f 8b, zstd 28 b5 2f fd, anything else passes through as a plain tar), not from the
// media type, so a mislabelled blob still unpacks and is still checked. Decompression is done
// here (ISA-L's igzip where libisal.so.2 loads, else zlib; libzstd; all streaming) rather than
// by libarchive so that the SHA-256 of the
// *uncompressed* stream - the layer's diff id - is computed on the same single pass that feeds
// the extractor. Concatenated gzip members and zstd frames are decompressed in sequence, as
// gzip -d and zstd -d do.
//
// A plain tar's uncompressed stream is the blob itself: when the caller passes the blob's
// digest, already verified (the content store checks every blob before it is visible), a plain
// stream is not hashed again and digest() returns that digest. A docker-archive's layers are
// plain, so this saves a second SHA-256 pass over every loaded layer.
//
// Owns its decompressor state; borrows the fd (the caller keeps the blob open). One thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "archive/reader.h"
#include "base/result.h"
#include "content/sha256.h"
#include "oci/digest.h"

namespace hako::snapshot {

enum class Compression { kNone, kGzip, kZstd };

// Which inflater reads gzip: ISA-L when it loads (snapshot/isal_api.h), else zlib. Tests pin
// one to check both; kIsal fails the first read when ISA-L is not there.
enum class GzipDecoder { kFastest, kZlib, kIsal };

std::string_view compression_name(Compression c);

class LayerReader final : public archive::Reader {
 public:
  // `verified_blob`: the digest of the bytes `fd` yields, checked by whoever stored them.
  explicit LayerReader(int fd, std::optional<oci::Digest> verified_blob = std::nullopt,
                       GzipDecoder gzip = GzipDecoder::kFastest);
  ~LayerReader() override;
  LayerReader(const LayerReader&) = delete;
  LayerReader& operator=(const LayerReader&) = delete;

  Result<size_t> read(char* buf, size_t n) override;

  // Reads and discards what the tar parser left (end-of-archive blocks, padding): the diff id
  // covers the whole uncompressed stream. Fails past `limit` bytes.
  Status drain(uint64_t limit);
  // The uncompressed stream's digest; call once, after read() returned 0 or drain().
  oci::Digest digest() {
    return compression_ == Compression::kNone && verified_blob_ ? *verified_blob_ : hash_.finish();
  }
  uint64_t bytes_out() const { return out_count_; }
  // Known after the first read().
  Compression compression() const { return compression_; }

 private:
  struct Codec;
  Status fill();
  Status start();
  Result<size_t> decompress(char* buf, size_t n);
  Result<size_t> gunzip(char* buf, size_t n);

  int fd_;
  std::unique_ptr<char[]> in_;
  size_t in_pos_ = 0;
  size_t in_len_ = 0;
  bool in_eof_ = false;
  bool started_ = false;
  bool done_ = false;
  Compression compression_ = Compression::kNone;
  GzipDecoder gzip_;
  std::unique_ptr<Codec> codec_;
  std::optional<oci::Digest> verified_blob_;
  content::Sha256 hash_;
  uint64_t out_count_ = 0;
};

}  // namespace hako::snapshot
