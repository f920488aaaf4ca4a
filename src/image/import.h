// import_rootfs: `hako import` — a root filesystem tarball becomes a one-layer image, as
// `docker import` makes it.
//
// The input is a tar, a gzip'd tar or a zstd'd tar (told apart by its first bytes). The layer
// blob is stored UNCOMPRESSED, as Docker stores it, so its digest is the diff id; a compressed
// input is first spooled to an anonymous temp file under the store root (gone with the fd) and
// decompressed from there by snapshot::LayerReader. Then a config (created = now, RFC 3339 UTC
// with nanoseconds; os/architecture; rootfs.diff_ids; one history entry whose comment is the
// message or "Imported from <source>"; run defaults from `changes`, see change.h) and a Docker
// v2 schema 2 manifest are written deterministically (oci::to_json) and the image is added
// with ImageStore::add_image, which unpacks the layer and names it.
//
// Everything that can be refused without reading (a bad reference, a bad --change) is refused
// before the input is read. Borrows the store and the reader; one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archive/reader.h"
#include "base/result.h"
#include "image/store.h"
#include "oci/image_spec.h"

namespace hako::image {

struct ImportOptions {
  std::optional<std::string> reference;     // "busybox:imported"; normalised, no digest allowed
  std::vector<std::string> changes;         // Dockerfile instructions (change.h)
  std::string message;                      // history comment; empty: "Imported from <source>"
  std::string source = "-";                 // what the input was: "-" (stdin), a path or URL
  oci::Platform platform;                   // empty os: linux; empty architecture: the host's
  std::string created;                      // RFC 3339; empty: now (tests pin it)
  uint64_t max_bytes = uint64_t{64} << 30;  // of the input and of the uncompressed tar
};

Result<ImageRecord> import_rootfs(ImageStore& store, archive::Reader& input,
                                  const ImportOptions& opts);

// Now, as Go's time.RFC3339Nano in UTC: "2024-05-01T12:34:56.123456789Z", trailing zeros of
// the fraction dropped.
std::string now_rfc3339_nano();

}  // namespace hako::image
