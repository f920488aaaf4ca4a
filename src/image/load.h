// load_archive: `hako load` — images from a docker-archive (`docker save`) or an OCI image
// layout archive (`skopeo copy … oci-archive:`, `docker save` 25+), plain or compressed.
//
// The archive is read once, as a stream (stdin works): every blob goes straight into the
// content store, verified by digest where its name says one (blobs/sha256/<hex>) and hashed
// where it does not (a docker-archive's <id>/layer.tar, checked against the config's diff id
// once manifest.json, which comes last, has been read). Small documents (manifest.json,
// index.json, configs) are kept in memory, bounded. Entry names are cleaned and may not leave
// the archive; symlinks and hardlinks between entries (Docker links duplicate layers) are
// followed inside the archive only.
//
// All images are checked before any is recorded; an image becomes visible only once its
// layers are unpacked (ImageStore::add_image). On any error the images this load added are
// removed again and the store is as it was (its blobs are garbage, collected at once or, after a
// crash, by the next command). Single-threaded apart from the parallel unpack.
#pragma once

#include <string>
#include <vector>

#include "archive/reader.h"
#include "base/result.h"
#include "image/store.h"

namespace hako::image {

struct LoadedEntry {
  oci::Digest id;
  std::vector<std::string> refs;  // normalised; empty for an image loaded without a name
};

Result<std::vector<LoadedEntry>> load_archive(ImageStore& store, archive::Reader& input);

}  // namespace hako::image
