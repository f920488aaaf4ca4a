// OCI image-spec v1.1 documents (descriptor, manifest, index, image config) as plain value
// types, with Docker's schema 2 manifest, manifest list and container config mapped onto the
// same structs (the media_type field says which one was read).
//
// Parsing takes the exact bytes of a document and never keeps a re-serialisation: digests and
// image ids are computed over those bytes, so the caller stores them as they came. Errors name
// the field path (`layers[2].digest: invalid digest "sha256:xyz": ...`). Documents larger than
// kMaxDocumentBytes are refused before parsing: they come from registries and archives we do
// not trust. The to_json() functions emit documents hako creates itself (import, commit) in a
// deterministic form (sorted keys, no whitespace), so the same image gets the same id.
// Values and pure functions; thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "oci/digest.h"
#include "oci/media_types.h"

namespace hako::oci {

// Manifests and configs are a few KiB; 4 MiB is what containerd and the distribution registry
// accept for a manifest.
inline constexpr size_t kMaxDocumentBytes = 4 << 20;

struct Platform {
  std::string architecture;  // GOARCH names: amd64, arm64, arm, 386, ppc64le, s390x, riscv64
  std::string os;            // GOOS names: linux, windows
  std::string os_version;    // "os.version" (Windows)
  std::vector<std::string> os_features;  // "os.features"
  std::string variant;                   // "v7", "v8"; empty when none
  std::vector<std::string> features;     // reserved by the spec
  friend bool operator==(const Platform&, const Platform&) = default;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;  // only in an index
  std::string artifact_type;
  std::string data;  // base64 embedded content, kept as read
};

// OCI image manifest or Docker manifest v2 schema 2.
struct Manifest {
  int32_t schema_version = 2;
  std::string media_type;  // filled with the OCI type when the document omits it
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// OCI image index or Docker manifest list.
struct Index {
  int32_t schema_version = 2;
  std::string media_type;  // filled with the OCI type when the document omits it
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// Docker's HEALTHCHECK (not in the OCI spec; Docker images carry it). Durations in nanoseconds.
struct Healthcheck {
  std::vector<std::string> test;  // ["NONE"], ["CMD", ...], ["CMD-SHELL", "..."]
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t start_interval = 0;
  int64_t retries = 0;
};

// The image config's "config" object: defaults for containers run from the image.
struct RunDefaults {
  std::string user;
  std::set<std::string> exposed_ports;  // "80/tcp"; JSON: {"80/tcp": {}}
  std::vector<std::string> env;
  // nullopt = absent (inherit); an empty vector is an explicit empty value, which Docker
  // distinguishes (ENTRYPOINT [] clears the parent's).
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::set<std::string> volumes;  // JSON: {"/data": {}}
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;
  std::optional<Healthcheck> healthcheck;  // Docker
  std::vector<std::string> on_build;       // Docker
  std::vector<std::string> shell;          // Docker
};

struct RootFs {
  std::string type = "layers";
  std::vector<Digest> diff_ids;  // digests of the uncompressed layer tars, bottom first
};

struct History {
  std::string created;  // RFC 3339
  std::string author;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;
};

struct ImageConfig {
  std::string created;  // RFC 3339
  std::string author;
  std::string architecture;
  std::string os;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string variant;
  std::optional<RunDefaults> config;
  RootFs rootfs;
  std::vector<History> history;
};

// Parsers: `bytes` is the whole document as stored.
Result<Manifest> parse_manifest(std::string_view bytes);
Result<Index> parse_index(std::string_view bytes);
Result<ImageConfig> parse_image_config(std::string_view bytes);
// A document of unknown kind (a registry answer, an archive's index entry): dispatches on
// mediaType, or on the fields present when it is absent. Schema 1 is refused by name.
Result<std::variant<Manifest, Index>> parse_manifest_or_index(std::string_view bytes);

// Deterministic JSON for documents hako creates. Empty optional fields are omitted.
std::string to_json(const ImageConfig& config);
std::string to_json(const Manifest& manifest);
std::string to_json(const Index& index);

}  // namespace hako::oci
