// LayerStore: unpacked image layers on disk, filed by chain id, ready to be overlay lowers.
//
// Layout under the root (e.g. /var/lib/hako):
//   layers/<chain hex>/diff        the layer's tree, whiteouts as overlay whiteouts
//   layers/<chain hex>/meta.json   {"chain_id", "diff_id", "parent", "size"} (size: regular
//                                  file bytes of the layer, as in its tar)
//   layers/.staging-<chain hex>-<random>/   a layer being unpacked (same shape)
//   layers/.trash-<chain hex>-<random>/     a layer being deleted
//   layers/.lock-<chain hex>                held while that layer is unpacked or removed
// A layer appears under its real name only by one rename of a complete staging directory after
// its uncompressed bytes matched the diff id and one syncfs() made it durable, and disappears by
// one rename to trash before anything is deleted; so a crash (kill -9, power loss) at any point
// leaves either the whole layer or none of it under <chain hex>, plus debris that cleanup()
// finds by its free lock. Unpacking needs no parent to be present: each diff is independent,
// which is what lets unpack() work on all of an image's layers at once.
//
// Concurrency: a LayerStore is cheap to copy (it shares the layers/ directory fd) and every
// method is thread safe. Any number of threads and processes may use one root: unpack and
// remove of one layer serialise on its lock, and presence is re-checked under the lock, so a
// layer shared by two images being pulled at once is unpacked once. The store does not know who
// uses a layer: remove() of a layer that a mounted overlay still has as a lower is the caller's
// mistake to avoid (the engine keeps the references).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/extract.h"
#include "base/result.h"
#include "base/unique_fd.h"
#include "content/store.h"
#include "oci/digest.h"
#include "snapshot/layer_reader.h"

namespace hako::snapshot {

struct LayerToUnpack {
  oci::Digest blob;     // the layer blob in the content store: tar, tar+gzip or tar+zstd
  oci::Digest diff_id;  // sha256 of the uncompressed tar (config rootfs.diff_ids)
  oci::Digest chain_id;
  std::optional<oci::Digest> parent;  // the chain id below; nullopt for the bottom layer
};

struct UnpackOptions {
  archive::ExtractOptions extract;
  // Layers unpacked at once, one thread each; 0 = min(CPUs, layers to unpack).
  unsigned parallel = 0;
};

struct UnpackResult {
  oci::Digest chain_id;
  bool unpacked = false;  // false: present already, or another unpacker finished it first
  uint64_t size = 0;
  Compression compression = Compression::kNone;  // only meaningful when unpacked
  archive::ExtractStats stats;                   // zero when not unpacked
};

struct LayerInfo {
  oci::Digest chain_id;
  oci::Digest diff_id;
  std::optional<oci::Digest> parent;
  uint64_t size = 0;
};

class LayerStore {
 public:
  // Creates <root>/layers as needed.
  static Result<LayerStore> open(const std::string& root);

  const std::string& root() const { return root_; }
  bool has(const oci::Digest& chain_id) const;
  std::string layer_path(const oci::Digest& chain_id) const;  // <root>/layers/<hex>
  std::string diff_path(const oci::Digest& chain_id) const;   // <root>/layers/<hex>/diff
  Result<LayerInfo> info(const oci::Digest& chain_id) const;
  Result<uint64_t> size(const oci::Digest& chain_id) const;
  // The diff dirs of chain_id and every layer below it, top first: an overlay's lowers.
  // Error if a layer of the chain is not unpacked.
  Result<std::vector<std::string>> lower_dirs(const oci::Digest& chain_id) const;

  // Unpacks every layer not yet present, in parallel; results are in the order of `layers`.
  // Each layer's chain id is checked against its parent and diff id first. A layer whose
  // uncompressed stream does not hash to its diff id fails ("layer sha256:<chain>: blob
  // sha256:<blob>: diff id mismatch: got sha256:..., want sha256:...") and leaves nothing.
  // The other layers are still finished (they are valid); the first error is returned.
  Result<std::vector<UnpackResult>> unpack(const content::Store& blobs,
                                           const std::vector<LayerToUnpack>& layers,
                                           const UnpackOptions& options = {}) const;

  // Unpacks one layer from `fd`, a stream of its blob (a pipe fed by a download, say), into a
  // staging directory, exactly as unpack() does from the content store; then calls `confirm`
  // and publishes the layer only if it returns ok (e.g. the download's digest verified). Does
  // not read `fd` to its end when the layer is present or fails: the caller drains it. Any
  // error, of the stream or of `confirm`, leaves nothing of the layer.
  Result<UnpackResult> unpack_stream(int fd, const LayerToUnpack& layer,
                                     const std::function<Status()>& confirm,
                                     const UnpackOptions& options = {}) const;

  // Takes the layer away under its name at once (rename to trash), then deletes it.
  Status remove(const oci::Digest& chain_id) const;
  // Deletes staging and trash directories (and stale lock files) nobody holds the lock of:
  // what a crashed unpack or remove left. Returns how many directories were removed.
  Result<size_t> cleanup() const;
  // Chain ids of the unpacked layers, sorted.
  Result<std::vector<oci::Digest>> list() const;

 private:
  LayerStore(std::string root, std::shared_ptr<const UniqueFd> dir)
      : root_(std::move(root)), layers_dir_(root_ + "/layers"), dir_(std::move(dir)) {}
  // A layer extracted into its staging directory under its lock, not yet published.
  struct Staged;
  // nullptr when the layer is present already (maybe finished by another unpacker meanwhile).
  Result<std::unique_ptr<Staged>> stage_one(const content::Store& blobs, const LayerToUnpack& layer,
                                            const archive::ExtractOptions& options) const;
  Result<std::unique_ptr<Staged>> stage_fd(int fd, const LayerToUnpack& layer,
                                           const archive::ExtractOptions& options) const;
  Status extract_into(int fd, const LayerToUnpack& layer, const std::string& staging,
                      const archive::ExtractOptions& options, UnpackResult* result) const;
  // Renames a staged layer to its name (after a syncfs); losing to a finished copy is ok.
  Status publish(Staged& staged) const;

  std::string root_;
  std::string layers_dir_;
  std::shared_ptr<const UniqueFd> dir_;  // <root>/layers
};

}  // namespace hako::snapshot
