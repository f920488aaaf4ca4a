// Image references with Docker's grammar and normalisation (github.com/distribution/reference):
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component { "/" path-component }      (≤ 255 characters)
//   domain    := host [ ":" port ]; the first component is a domain only if it contains "." or
//                ":", is "localhost", or has an uppercase letter; otherwise it is a path
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// Normalised: `busybox` → `docker.io/library/busybox:latest`, `user/app` → `docker.io/user/app`,
// `index.docker.io/x` → `docker.io/library/x`. The familiar form drops what normalisation added
// (`busybox:latest`), as `docker images` shows it. A 64-hex string alone is refused as a name:
// it is an image id, which the caller resolves before trying a reference.
// Values and pure functions; thread safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "oci/digest.h"

namespace hako::oci {

inline constexpr std::string_view kDefaultDomain = "docker.io";
inline constexpr std::string_view kDefaultTag = "latest";
inline constexpr size_t kMaxNameLength = 255;

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000", "[fc00::1]:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // empty when none
  std::optional<Digest> digest;

  std::string name() const { return domain + "/" + path; }  // docker.io/library/busybox
  std::string to_string() const;        // docker.io/library/busybox:latest[@sha256:…]
  std::string familiar_name() const;    // busybox, user/app, localhost:5000/x
  std::string familiar_string() const;  // busybox:latest[@sha256:…]

  friend bool operator==(const Reference&, const Reference&) = default;
};

enum class DefaultTag {
  kLatest,  // no tag and no digest → ":latest" (docker pull/run/tag)
  kNone,    // keep as written (filters, `docker images busybox`)
};

// Error: `invalid reference "Busybox": repository name must be lowercase`.
Result<Reference> parse_reference(std::string_view text, DefaultTag tag = DefaultTag::kLatest);

bool is_valid_tag(std::string_view tag);

}  // namespace hako::oci
