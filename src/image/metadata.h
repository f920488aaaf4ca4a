// Metadata: the image tables of hako.db — images, their layers, and the references (tags and
// repository digests) that name them.
//
// Layer reference counts are derived, never stored: a layer (by chain id) is in use while an
// image_layers row names it, so a count can not drift from the truth after a crash. The same
// holds for blobs: a blob is live while an image names it as manifest, config or layer blob.
// Each public call is one transaction. References are stored normalised
// ("docker.io/library/busybox:latest", "docker.io/library/busybox@sha256:…").
//
// Ownership: a Metadata owns its Database. Thread safety: one thread at a time; several
// processes may use the same store at once (SQLite WAL, BEGIN IMMEDIATE).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/database.h"
#include "oci/digest.h"

namespace hako::image {

struct LayerRecord {
  oci::Digest diff_id;   // sha256 of the uncompressed tar
  oci::Digest chain_id;  // where it is unpacked (snapshot::LayerStore)
  oci::Digest blob;      // the blob as stored (compressed or not), for save and push
  std::string media_type;
  int64_t blob_size = 0;
  int64_t size = 0;  // unpacked bytes
};

struct ImageRecord {
  oci::Digest id;  // the config's digest, as Docker
  oci::Digest manifest;
  std::string manifest_media_type;
  std::string created;              // RFC 3339, from the config
  int64_t size = 0;                 // sum of the layers' unpacked sizes
  int64_t added = 0;                // unix seconds when it entered this store
  std::vector<LayerRecord> layers;  // bottom first
};

struct RefRecord {
  std::string name;  // normalised reference
  oci::Digest image;
  bool is_digest() const { return name.find('@') != std::string::npos; }
};

class Metadata {
 public:
  static Result<Metadata> open(const std::string& db_path);

  // Records the image (if new) and points `refs` at it, moving them from any other image.
  Status add_image(const ImageRecord& image, const std::vector<std::string>& refs);
  Result<std::optional<ImageRecord>> find_image(const oci::Digest& id);
  // Ids starting with `hex_prefix` (without "sha256:").
  Result<std::vector<oci::Digest>> find_ids_by_prefix(const std::string& hex_prefix);
  Result<std::vector<ImageRecord>> list_images();

  Result<std::optional<oci::Digest>> find_ref(const std::string& name);
  Result<std::vector<RefRecord>> list_refs();
  Result<std::vector<std::string>> refs_of(const oci::Digest& image);
  Status set_ref(const std::string& name, const oci::Digest& image);
  // True if the reference existed.
  Result<bool> remove_ref(const std::string& name);
  // Ids of the containers made from the image (the engine records them).
  Result<std::vector<std::string>> containers_using(const oci::Digest& image);
  // Removes the image and every reference to it; refused while a container uses it.
  Status remove_image(const oci::Digest& id);

  // The connection, for the engine's tables (containers, volumes) in the same file: their
  // schema is in this module's migration list, so hako.db has one numbered history.
  db::Database& database() { return db_; }

  // SQLite's own consistency check of the file.
  Status check_integrity();

  // What is in use, for garbage collection.
  Result<std::set<oci::Digest>> live_chain_ids();
  Result<std::set<oci::Digest>> live_blobs();

 private:
  explicit Metadata(db::Database db) : db_(std::move(db)) {}
  Result<std::vector<LayerRecord>> layers_of(const oci::Digest& id);
  Result<std::vector<ImageRecord>> select_images(const std::string& where, const std::string& arg);

  db::Database db_;
};

}  // namespace hako::image
