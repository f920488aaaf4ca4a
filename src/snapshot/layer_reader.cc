#include "snapshot/layer_reader.h"

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "snapshot/isal_api.h"

namespace hako::snapshot {

namespace {

constexpr size_t kInBlock = 256 << 10;

std::string isal_error(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC or length check failed";
    default:
      return "corrupt stream (ISA-L error " + std::to_string(rc) + ")";
  }
}

}  // namespace

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
  }
  return "?";
}

struct LayerReader::Codec {
  z_stream z{};
  bool z_live = false;
  const IsalApi* isal = nullptr;
  // Large (tables, window): on the heap. Its layout is the build's header's, which matches the
  // libisal.so.2 of the same distribution that load_isal() opens.
  std::unique_ptr<inflate_state> isal_state;
  bool isal_in_member = false;  // bytes of a gzip member taken, its end not seen
  ZSTD_DStream* zstd = nullptr;
  bool zstd_in_frame = false;
  ~Codec() {
    if (z_live) inflateEnd(&z);
    if (zstd != nullptr) ZSTD_freeDStream(zstd);
  }
};

LayerReader::LayerReader(int fd, std::optional<oci::Digest> verified_blob, GzipDecoder gzip)
    : fd_(fd),
      in_(new char[kInBlock]),
      gzip_(gzip),
      codec_(std::make_unique<Codec>()),
      verified_blob_(std::move(verified_blob)) {}

LayerReader::~LayerReader() = default;

Status LayerReader::fill() {
  // Keep unconsumed input at the front so a short read never splits a magic number.
  if (in_pos_ > 0) {
    std::memmove(in_.get(), in_.get() + in_pos_, in_len_ - in_pos_);
    in_len_ -= in_pos_;
    in_pos_ = 0;
  }
  if (in_len_ == kInBlock || in_eof_) return ok();
  ssize_t n;
  do {
    n = ::read(fd_, in_.get() + in_len_, kInBlock - in_len_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("read layer blob");
  if (n == 0) in_eof_ = true;
  in_len_ += static_cast<size_t>(n);
  return ok();
}

Status LayerReader::start() {
  started_ = true;
  while (in_len_ < 4 && !in_eof_) HAKO_TRY(fill());
  const auto* p = reinterpret_cast<const unsigned char*>(in_.get());
  if (in_len_ >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
    compression_ = Compression::kGzip;
    if (gzip_ != GzipDecoder::kZlib) codec_->isal = load_isal();
    if (gzip_ == GzipDecoder::kIsal && codec_->isal == nullptr)
      return Error(ErrorCode::kUnavailable,
                   "gzip: libisal.so.2 does not load (apt-get install libisal2)");
    if (codec_->isal) {
      codec_->isal_state = std::make_unique<inflate_state>();
      codec_->isal->inflate_init(codec_->isal_state.get());
      // ISAL_GZIP: gzip wrapper only, header parsed and CRC-32 and length checked, as zlib's
      // 16 + MAX_WBITS below; a zlib or raw deflate stream is not a layer format.
      codec_->isal_state->crc_flag = ISAL_GZIP;
      return ok();
    }
    if (inflateInit2(&codec_->z, 16 + MAX_WBITS) != Z_OK)
      return internal_error("gzip: cannot initialise zlib");
    codec_->z_live = true;
  } else if (in_len_ >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
    compression_ = Compression::kZstd;
    codec_->zstd = ZSTD_createDStream();
    if (codec_->zstd == nullptr) return internal_error("zstd: cannot create a decompressor");
  }
  return ok();
}

Result<size_t> LayerReader::decompress(char* buf, size_t n) {
  while (true) {
    if (in_pos_ == in_len_) {
      if (in_eof_) {
        // Input ended. A complete stream ends on a member/frame boundary.
        if (compression_ == Compression::kGzip &&
            (codec_->isal ? codec_->isal_in_member : codec_->z.total_in != 0))
          return invalid_argument("gzip: truncated stream");
        if (compression_ == Compression::kZstd && codec_->zstd_in_frame)
          return invalid_argument("zstd: truncated stream");
        return size_t{0};
      }
      HAKO_TRY(fill());
      continue;
    }
    size_t produced = 0;
    if (compression_ == Compression::kGzip && codec_->isal) {
      HAKO_TRY_ASSIGN(produced, gunzip(buf, n));
    } else if (compression_ == Compression::kGzip) {
      z_stream& z = codec_->z;
      z.next_in = reinterpret_cast<Bytef*>(in_.get() + in_pos_);
      z.avail_in = static_cast<uInt>(in_len_ - in_pos_);
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = static_cast<uInt>(n);
      int rc = inflate(&z, Z_NO_FLUSH);
      in_pos_ = in_len_ - z.avail_in;
      produced = n - z.avail_out;
      if (rc == Z_STREAM_END) {
        // Another member may follow (pigz, appended layers): start over on it.
        inflateReset(&z);
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return invalid_argument(std::string("gzip: ") + (z.msg ? z.msg : "corrupt stream"));
      }
    } else {
      ZSTD_inBuffer in{in_.get() + in_pos_, in_len_ - in_pos_, 0};
      ZSTD_outBuffer out{buf, n, 0};
      size_t rc = ZSTD_decompressStream(codec_->zstd, &out, &in);
      if (ZSTD_isError(rc)) return invalid_argument(std::string("zstd: ") + ZSTD_getErrorName(rc));
      in_pos_ += in.pos;
      produced = out.pos;
      codec_->zstd_in_frame = rc != 0;  // 0: a frame just ended
    }
    if (produced > 0) return produced;
  }
}

Result<size_t> LayerReader::gunzip(char* buf, size_t n) {
  inflate_state& st = *codec_->isal_state;
  st.next_in = reinterpret_cast<uint8_t*>(in_.get() + in_pos_);
  st.avail_in = static_cast<uint32_t>(in_len_ - in_pos_);
  st.next_out = reinterpret_cast<uint8_t*>(buf);
  uint32_t room = static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX));
  st.avail_out = room;
  int rc = codec_->isal->inflate(&st);
  bool took = st.avail_in != in_len_ - in_pos_;
  if (took) codec_->isal_in_member = true;
  in_pos_ = in_len_ - st.avail_in;
  if (rc < 0) return invalid_argument("gzip: " + isal_error(rc));
  if (!took && st.avail_out == room && st.block_state != ISAL_BLOCK_FINISH)
    return internal_error("gzip: ISA-L made no progress on its input");  // never loop on it
  if (st.block_state == ISAL_BLOCK_FINISH) {
    // Another member may follow (pigz, appended layers): start over on it.
    codec_->isal->inflate_reset(&st);
    st.crc_flag = ISAL_GZIP;
    codec_->isal_in_member = false;
  }
  return size_t{room - st.avail_out};
}

Result<size_t> LayerReader::read(char* buf, size_t n) {
  if (done_ || n == 0) return size_t{0};
  if (!started_) HAKO_TRY(start());
  size_t got = 0;
  if (compression_ == Compression::kNone) {
    if (in_pos_ == in_len_) HAKO_TRY(fill());
    got = std::min(n, in_len_ - in_pos_);
    std::memcpy(buf, in_.get() + in_pos_, got);
    in_pos_ += got;
  } else {
    HAKO_TRY_ASSIGN(got, decompress(buf, n));
  }
  if (got == 0) {
    done_ = true;
    return got;
  }
  if (compression_ != Compression::kNone || !verified_blob_) hash_.update(buf, got);
  out_count_ += got;
  return got;
}

Status LayerReader::drain(uint64_t limit) {
  std::unique_ptr<char[]> buf(new char[kInBlock]);
  while (true) {
    HAKO_TRY_ASSIGN(size_t n, read(buf.get(), kInBlock));
    if (n == 0) return ok();
    if (out_count_ > limit)
      return Error(ErrorCode::kResourceExhausted,
                   "layer stream larger than " + std::to_string(limit) + " bytes");
  }
}

}  // namespace hako::snapshot
