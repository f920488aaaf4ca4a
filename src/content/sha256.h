// Sha256: a streaming SHA-256 over OpenSSL's EVP interface, which picks the CPU's SHA
// extensions (SHA-NI, ARMv8 crypto) when present. HashingReader hashes bytes as they pass from
// an fd to the caller, so the pull and load paths (stream → sha256 → decompress → unpack) read
// each byte once and still verify it.
//
// Each object owns its EVP context; neither is thread safe, both are movable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "oci/digest.h"

namespace hako::content {

class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  void update(std::string_view data);
  void update(const void* data, size_t size) {
    update(std::string_view(static_cast<const char*>(data), size));
  }
  // The digest of everything passed to update(); the hasher starts over afterwards.
  oci::Digest finish();

  // One-shot convenience for small documents.
  static oci::Digest of(std::string_view data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// Reads from a borrowed fd, hashing and counting every byte handed out. With a size limit it
// fails once more than `limit` bytes arrive (it asks the fd for at most limit+1), so an
// oversized or endless stream is cut off early instead of filling a disk.
class HashingReader {
 public:
  explicit HashingReader(int fd, std::optional<uint64_t> limit = std::nullopt)
      : fd_(fd), limit_(limit) {}

  // Like read(2): bytes read into buf, 0 at end of stream. Retries EINTR.
  Result<size_t> read(void* buf, size_t size);

  uint64_t bytes_read() const { return count_; }
  // Ends the hash; call once, after read() returned 0.
  oci::Digest digest() { return hash_.finish(); }
  // Reads to the end (discarding), then checks size and digest:
  // `sha256:…: digest mismatch: got sha256:…`, `sha256:…: size mismatch: got N bytes, want M`.
  Status verify(const oci::Digest& expected, std::optional<uint64_t> expected_size = {});

 private:
  int fd_;
  std::optional<uint64_t> limit_;
  uint64_t count_ = 0;
  Sha256 hash_;
};

}  // namespace hako::content
