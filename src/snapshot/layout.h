// The names of things under <root>/layers (layer_store.h draws the layout) and the meta.json
// codec. Internal to the snapshot module; pure functions, thread safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "oci/digest.h"
#include "snapshot/layer_store.h"

namespace hako::snapshot::layout {

inline constexpr std::string_view kStagingPrefix = ".staging-";
inline constexpr std::string_view kTrashPrefix = ".trash-";
inline constexpr std::string_view kLockPrefix = ".lock-";
inline constexpr const char* kMeta = "meta.json";
inline constexpr const char* kDiff = "diff";

inline std::string lock_name(std::string_view hex) {
  return std::string(kLockPrefix) + std::string(hex);
}
// "<prefix><hex>-<random>": the hex names the lock that marks the directory as live.
std::string temp_name(std::string_view prefix, std::string_view hex);
// The chain hex of a staging or trash name with that prefix, nullopt if it is not one.
std::optional<std::string> temp_hex(std::string_view name, std::string_view prefix);
bool is_hex64(std::string_view s);

std::string encode_meta(const LayerInfo& info);
Result<LayerInfo> decode_meta(std::string_view text);

}  // namespace hako::snapshot::layout
