// Chain ids: the name of a layer *stack*, as the OCI image spec defines it
// (image-spec config.md, "Layer ChainID"):
//   ChainID(L0) = DiffID(L0)
//   ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln))
// A diff id names one layer's uncompressed tar; the chain id names that layer applied on top of
// all the layers below it, so two images share an unpacked layer exactly when they share the
// whole stack beneath it. The layer store (layer_store.h) files layers by chain id.
// Pure functions; thread safe.
#pragma once

#include <optional>
#include <vector>

#include "oci/digest.h"

namespace hako::snapshot {

// The chain id of diff_id applied on top of parent_chain (nullopt for the bottom layer).
oci::Digest chain_id(const std::optional<oci::Digest>& parent_chain, const oci::Digest& diff_id);

// The chain id of every prefix of an image's diff ids (rootfs.diff_ids, bottom first).
std::vector<oci::Digest> chain_ids(const std::vector<oci::Digest>& diff_ids);

}  // namespace hako::snapshot
