// Digest: a content address "<algorithm>:<hex>", as used by OCI descriptors and the blob store.
//
// Only the two registered OCI algorithms are accepted, in their canonical shape: "sha256:" with
// 64 lowercase hex digits and "sha512:" with 128. Anything else is refused at parse time, so a
// Digest that exists is safe to use as a file name. Nothing here hashes (oci links no crypto
// library; content::Sha256 produces digests). A default-constructed Digest is empty and only
// useful as a placeholder in structs being filled. Value type; thread safe.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::oci {

class Digest {
 public:
  Digest() = default;

  // "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>".
  // Error: `invalid digest "sha256:xyz": ...`.
  static Result<Digest> parse(std::string_view text);
  // From an algorithm name and a hex string (e.g. a hasher's output or a blob file name).
  static Result<Digest> from_parts(std::string_view algorithm, std::string_view hex);

  bool empty() const { return text_.empty(); }
  std::string_view algorithm() const { return std::string_view(text_).substr(0, colon_); }
  std::string_view hex() const { return std::string_view(text_).substr(colon_ + 1); }
  const std::string& to_string() const { return text_; }

  friend bool operator==(const Digest& a, const Digest& b) { return a.text_ == b.text_; }
  friend std::strong_ordering operator<=>(const Digest& a, const Digest& b) {
    return a.text_ <=> b.text_;
  }

 private:
  Digest(std::string text, size_t colon) : text_(std::move(text)), colon_(colon) {}

  std::string text_;
  size_t colon_ = 0;
};

}  // namespace hako::oci

template <>
struct std::hash<hako::oci::Digest> {
  size_t operator()(const hako::oci::Digest& d) const noexcept {
    return std::hash<std::string>()(d.to_string());
  }
};
