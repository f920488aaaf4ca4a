#include "oci/media_types.h"

namespace hako::oci {

std::optional<LayerType> find_layer_type(std::string_view t) {
  if (t == kMediaTypeLayer || t == kMediaTypeDockerLayer) return LayerType{Compression::kNone};
  if (t == kMediaTypeLayerGzip || t == kMediaTypeDockerLayerGzip)
    return LayerType{Compression::kGzip};
  if (t == kMediaTypeLayerZstd || t == kMediaTypeDockerLayerZstd)
    return LayerType{Compression::kZstd};
  if (t == kMediaTypeLayerNondistributable) return LayerType{Compression::kNone, true};
  if (t == kMediaTypeLayerNondistributableGzip || t == kMediaTypeDockerForeignLayerGzip)
    return LayerType{Compression::kGzip, true};
  if (t == kMediaTypeLayerNondistributableZstd) return LayerType{Compression::kZstd, true};
  return std::nullopt;
}

bool is_manifest_media_type(std::string_view t) {
  return t == kMediaTypeImageManifest || t == kMediaTypeDockerManifest;
}

bool is_index_media_type(std::string_view t) {
  return t == kMediaTypeImageIndex || t == kMediaTypeDockerManifestList;
}

bool is_config_media_type(std::string_view t) {
  return t == kMediaTypeImageConfig || t == kMediaTypeDockerConfig;
}

}  // namespace hako::oci
