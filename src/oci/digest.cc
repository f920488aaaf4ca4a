#include "oci/digest.h"

namespace hako::oci {

namespace {

size_t hex_length(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha512") return 128;
  return 0;
}

// Lowercase only: the canonical form is what digests are compared and stored by, and an
// uppercase variant of the same hash would otherwise name a second blob.
bool is_lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

Result<Digest> Digest::from_parts(std::string_view algorithm, std::string_view hex) {
  std::string text = std::string(algorithm) + ":" + std::string(hex);
  auto fail = [&](std::string_view why) {
    return invalid_argument("invalid digest \"" + text + "\": " + std::string(why));
  };
  size_t want = hex_length(algorithm);
  if (want == 0) return fail("unsupported algorithm (want sha256 or sha512)");
  if (hex.size() != want)
    return fail("want " + std::to_string(want) + " hex digits, got " + std::to_string(hex.size()));
  if (!is_lower_hex(hex)) return fail("not lowercase hex");
  return Digest(std::move(text), algorithm.size());
}

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return invalid_argument("invalid digest \"" + std::string(text) + "\": want <algorithm>:<hex>");
  return from_parts(text.substr(0, colon), text.substr(colon + 1));
}

}  // namespace hako::oci
