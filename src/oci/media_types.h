// Media types of the OCI image spec and of Docker's image manifest v2 schema 2, and the
// classification the puller and unpacker need: is this a manifest, an index, a config, a layer
// (and then how compressed, and is it "foreign"/non-distributable). Constants and pure
// functions; thread safe.
#pragma once

#include <optional>
#include <string_view>

namespace hako::oci {

// OCI image spec v1.1.
inline constexpr std::string_view kMediaTypeImageManifest =
    "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kMediaTypeImageIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kMediaTypeImageConfig =
    "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kMediaTypeEmptyJson = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view kMediaTypeLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kMediaTypeLayerGzip =
    "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kMediaTypeLayerZstd =
    "application/vnd.oci.image.layer.v1.tar+zstd";
// Deprecated by the spec but still found in the wild (Windows base layers).
inline constexpr std::string_view kMediaTypeLayerNondistributable =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kMediaTypeLayerNondistributableGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kMediaTypeLayerNondistributableZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

// Docker image manifest v2, schema 2.
inline constexpr std::string_view kMediaTypeDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kMediaTypeDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kMediaTypeDockerConfig =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kMediaTypeDockerLayer =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kMediaTypeDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view kMediaTypeDockerLayerZstd =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view kMediaTypeDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
// Schema 1 is recognised only to refuse it with a clear message.
inline constexpr std::string_view kMediaTypeDockerSchema1Manifest =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kMediaTypeDockerSchema1SignedManifest =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

enum class Compression { kNone, kGzip, kZstd };

struct LayerType {
  Compression compression = Compression::kNone;
  // Foreign / non-distributable: the blob may live elsewhere (descriptor urls) and is never
  // pushed; Docker keeps it but does not upload it.
  bool foreign = false;
};

// nullopt when the media type is not a layer type we can unpack.
std::optional<LayerType> find_layer_type(std::string_view media_type);

bool is_manifest_media_type(std::string_view media_type);  // OCI manifest or Docker schema 2
bool is_index_media_type(std::string_view media_type);     // OCI index or Docker manifest list
bool is_config_media_type(std::string_view media_type);    // OCI or Docker image config

}  // namespace hako::oci
