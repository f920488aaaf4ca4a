// ImageStore: hako's image store under one root — the content store (blobs/), the unpacked
// layers (layers/, snapshot::LayerStore) and the metadata (hako.db) — and the operations that
// must keep the three consistent: adding an image, naming it, removing it, collecting garbage.
//
// Order of writes, so that a crash at any point leaves no half image visible: blobs are
// verified and committed first, layers unpacked and published next, and the image becomes
// visible only in the final metadata transaction. What a crash leaves (ingest temp files,
// layer staging dirs, blobs and layers no image names) is debris that open() clears when it
// can take the store lock exclusively, and that `hako system check` reports and removes.
//
// Locking: adding an image holds <root>/store.lock shared; garbage collection (rmi, prune,
// check) holds it exclusively, so it never deletes a layer a concurrent load has unpacked but
// not yet recorded. Ownership: an ImageStore owns its database connection and lock fd.
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "content/store.h"
#include "image/metadata.h"
#include "oci/image_spec.h"
#include "oci/reference.h"
#include "snapshot/layer_store.h"

namespace hako::image {

// What `rmi` did, in Docker's words: "Untagged: busybox:latest", "Deleted: sha256:…".
struct RemoveReport {
  std::vector<std::string> untagged;  // familiar references
  std::vector<oci::Digest> deleted;
  int64_t reclaimed = 0;  // bytes of blobs and layers removed
};

struct GcReport {
  size_t blobs = 0;
  size_t layers = 0;
  size_t debris = 0;  // ingest temp files, staging and trash directories
  int64_t bytes = 0;
};

// An image with the documents it is made of, parsed.
struct LoadedImage {
  ImageRecord record;
  oci::ImageConfig config;
  std::string config_bytes;
  std::vector<std::string> refs;  // normalised
};

// Marks the store as possibly holding garbage (blobs and layers of an image not yet recorded)
// while an operation that adds images runs. done() removes the mark; a crash or an error leaves
// it, and the next open() that has the store to itself collects the garbage.
class PendingMark {
 public:
  explicit PendingMark(std::string path) : path_(std::move(path)) {}
  PendingMark(PendingMark&& o) noexcept : path_(std::exchange(o.path_, {})) {}
  PendingMark(const PendingMark&) = delete;
  void done();

 private:
  std::string path_;
};

class ImageStore {
 public:
  // Creates the layout under root as needed and clears crash debris if no other hako process
  // is using the store.
  static Result<ImageStore> open(const std::string& root);

  const std::string& root() const { return root_; }
  const content::Store& blobs() const { return blobs_; }
  snapshot::LayerStore& layers() { return layers_; }
  Metadata& metadata() { return meta_; }

  Result<PendingMark> mark_pending();

  // Unpacks the layers of `manifest_digest` (a manifest in the content store whose config and
  // layers are there too) and records the image under `refs` (normalised references).
  Result<ImageRecord> add_image(const oci::Digest& manifest_digest,
                                const std::vector<std::string>& refs);

  // An image by what a user types: a reference (busybox, busybox:1.36, name@sha256:…), an id
  // ("sha256:<hex>", "<hex>") or a unique id prefix. Error: `no such image: busybox:latest`.
  Result<ImageRecord> resolve(std::string_view name);
  Result<LoadedImage> load(const ImageRecord& record);

  Status tag(std::string_view source, std::string_view target);
  // rmi: a reference is untagged, and the image deleted once no tag is left; an id deletes the
  // image, refused while several repositories name it unless `force`. While a container uses
  // the image, removing its last tag or its id is refused; `force` untags it and keeps the
  // image (dangling) for the container, as Docker does.
  Result<RemoveReport> remove(std::string_view name, bool force);
  // Images with no reference (dangling), or with `all` every image no container uses, then
  // garbage.
  Result<RemoveReport> prune(bool all);
  // Blobs and layers no image names, and crash debris. `dry_run` only counts.
  Result<GcReport> collect_garbage(bool dry_run);

 private:
  ImageStore(std::string root, content::Store blobs, snapshot::LayerStore layers, Metadata meta,
             UniqueFd lock)
      : root_(std::move(root)),
        blobs_(std::move(blobs)),
        layers_(std::move(layers)),
        meta_(std::move(meta)),
        lock_(std::move(lock)) {}
  Status lock_exclusive();
  void lock_shared();

  std::string root_;
  content::Store blobs_;
  snapshot::LayerStore layers_;
  Metadata meta_;
  UniqueFd lock_;
};

// The familiar form of a stored reference ("busybox:latest", "busybox@sha256:…").
std::string familiar(const std::string& normalised);

}  // namespace hako::image
