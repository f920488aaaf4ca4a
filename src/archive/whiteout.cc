#include "archive/whiteout.h"

namespace hako::archive {

WhiteoutName classify_whiteout(std::string_view base) {
  if (!base.starts_with(kWhiteoutPrefix)) return {};
  if (base == kOpaqueMarker) return {WhiteoutKind::kOpaque, {}};
  std::string_view target = base.substr(kWhiteoutPrefix.size());
  // ".wh..wh.*" names are aufs's own bookkeeping; Docker skips them too.
  if (target.starts_with(kWhiteoutPrefix)) return {WhiteoutKind::kMeta, {}};
  // ".wh." alone, ".wh.." and ".wh..." would delete the dir itself or climb out: no-op names.
  if (target.empty() || target == "." || target == "..") return {WhiteoutKind::kMeta, {}};
  return {WhiteoutKind::kWhiteout, target};
}

std::string opaque_xattr_name(bool userxattr) {
  return userxattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

bool is_overlay_xattr(std::string_view name) {
  return name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.");
}

}  // namespace hako::archive
