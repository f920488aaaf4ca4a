#include "content/sha256.h"

// The low-level SHA-256 interface: the same assembly (SHA-NI) as EVP's, without EVP's
// provider machinery, whose first use costs a process ~5 million instructions (a hako
// command that hashes one small document paid that on every run). Deprecated in OpenSSL 3,
// not removed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace hako::content {

struct Sha256::Ctx {
  SHA256_CTX sha;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) { SHA256_Init(&ctx_->sha); }
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;
Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  if (!data.empty()) SHA256_Update(&ctx_->sha, data.data(), data.size());
}

oci::Digest Sha256::finish() {
  unsigned char out[SHA256_DIGEST_LENGTH];
  unsigned int len = SHA256_DIGEST_LENGTH;
  SHA256_Final(out, &ctx_->sha);
  SHA256_Init(&ctx_->sha);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[out[i] >> 4];
    hex[2 * i + 1] = kHex[out[i] & 0xf];
  }
  // Well formed by construction.
  return *oci::Digest::from_parts("sha256", hex);
}

oci::Digest Sha256::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Result<size_t> HashingReader::read(void* buf, size_t size) {
  if (limit_) {
    // Ask for at most one byte past the limit: enough to tell "too big" without reading on.
    uint64_t room = *limit_ - std::min(count_, *limit_) + 1;
    if (size > room) size = static_cast<size_t>(room);
  }
  ssize_t n;
  do {
    n = ::read(fd_, buf, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error("read");
  count_ += static_cast<uint64_t>(n);
  if (limit_ && count_ > *limit_)
    return Error(ErrorCode::kResourceExhausted,
                 "stream larger than " + std::to_string(*limit_) + " bytes");
  hash_.update(buf, static_cast<size_t>(n));
  return static_cast<size_t>(n);
}

Status HashingReader::verify(const oci::Digest& expected, std::optional<uint64_t> expected_size) {
  std::vector<char> buf(1 << 16);
  while (true) {
    HAKO_TRY_ASSIGN(size_t n, read(buf.data(), buf.size()));
    if (n == 0) break;
  }
  if (expected_size && count_ != *expected_size)
    return invalid_argument(expected.to_string() + ": size mismatch: got " +
                            std::to_string(count_) + " bytes, want " +
                            std::to_string(*expected_size));
  oci::Digest got = digest();
  if (got != expected)
    return invalid_argument(expected.to_string() + ": digest mismatch: got " + got.to_string());
  return ok();
}

}  // namespace hako::content
