// save_images: `hako save` — images of the store as one tar stream, in the two formats other
// engines load.
//
// kDockerArchive is what Docker 20.10's `docker save` writes, which `docker load`, `podman load`
// and `skopeo copy docker-archive:` accept: `<config hex>.json` (the config's exact bytes, so the
// image id survives), per layer `<v1 id>/{VERSION,json,layer.tar}` with layer.tar the
// UNCOMPRESSED tar (a compressed blob is decompressed into an anonymous spool file under the
// store root and checked against its diff id first, since a tar header needs the size), then
// `manifest.json` ([{"Config","RepoTags","Layers"}]) and, when anything is tagged,
// `repositories`. v1 ids are hako's own deterministic digests of the chain (loaders read only
// manifest.json), so a layer shared by several images is written once.
//
// kOci is an OCI image layout as `docker save` 25+ and `skopeo copy oci-archive:` write it:
// `blobs/sha256/<hex>` for each config and layer blob exactly as stored and each manifest (an
// OCI one as stored; a Docker schema 2 one, e.g. from import, rewritten with the OCI media types
// over the same config and layers, as Docker 25 does, since skopeo's and podman's OCI layout
// readers skip index entries of Docker media types: the image id stays), `index.json`
// with one descriptor per (image, tag) annotated with org.opencontainers.image.ref.name (the
// tag) and io.containerd.image.name (the full name), `oci-layout`, and, as Docker 25 does, a
// `manifest.json` pointing into blobs/ so that older `docker load` reads it too.
//
// Names are what ImageStore::resolve takes; a repository without a tag ("busybox") saves every
// tag of it, as Docker does; an id saves the image without tags. Every name is resolved before
// a byte is written (error: `no such image: x`). The output is deterministic: entries in a fixed
// order, owners 0:0, modes 0644/0755, mtimes the image's created time (0 for the index files).
// Borrows the store and the writer; one thread.
#pragma once

#include <string>
#include <vector>

#include "archive/reader.h"
#include "base/result.h"
#include "image/store.h"

namespace hako::image {

enum class SaveFormat { kDockerArchive, kOci };

Status save_images(ImageStore& store, const std::vector<std::string>& names, SaveFormat format,
                   archive::Writer& out);

}  // namespace hako::image
