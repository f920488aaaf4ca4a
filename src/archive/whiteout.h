// OCI whiteout names ↔ overlayfs whiteouts.
//
// In an OCI layer tar, "dir/.wh.NAME" deletes NAME of the lower layers and "dir/.wh..wh..opq"
// hides all of dir's lower contents (image-spec layer.md). overlayfs expresses the first as a
// 0/0 character device named NAME and the second as the xattr trusted.overlay.opaque=y on dir
// (user.overlay.opaque with the userxattr mount option, for rootless). The extractor turns the
// tar form into the overlay form; write_tar turns it back. Pure functions; thread safe.
#pragma once

#include <string>
#include <string_view>

namespace hako::archive {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

enum class WhiteoutKind {
  kNone,      // an ordinary name
  kWhiteout,  // ".wh.NAME": NAME is deleted
  kOpaque,    // ".wh..wh..opq": the parent directory is opaque
  kMeta,      // other ".wh..wh.*" names (aufs bookkeeping such as .wh..wh.plnk): skipped
};

struct WhiteoutName {
  WhiteoutKind kind = WhiteoutKind::kNone;
  std::string_view target;  // for kWhiteout: NAME
};

// Classifies the last component of an entry name.
WhiteoutName classify_whiteout(std::string_view base);

// The name of the opaque xattr: trusted.overlay.opaque, or user.overlay.opaque for userxattr.
std::string opaque_xattr_name(bool userxattr);

// True for xattrs that carry overlayfs metadata (trusted.overlay.*, user.overlay.*): a layer
// tar must not set them, or it could forge whiteouts, redirects or metacopy files.
bool is_overlay_xattr(std::string_view name);

}  // namespace hako::archive
