// create_default_image: `hako image default` — busybox:latest made from the host's static
// busybox (Debian's busybox-static), so hako has an image to run on a machine with no registry.
//
// Reproducible: the layer tar is written entry by entry in a fixed order with fixed times,
// owners and modes, and the config carries a fixed creation time, so the same busybox binary
// gives the same image id on every machine and every run. The layer holds the binary at
// /bin/busybox, one symlink per applet (`busybox --list-full`), the usual empty directories,
// and a minimal /etc/passwd and /etc/group. Single-threaded.
#pragma once

#include <string>

#include "base/result.h"
#include "image/store.h"

namespace hako::image {

inline constexpr const char* kDefaultBusybox = "/bin/busybox";

// Records the image under `reference` (normalised, e.g. docker.io/library/busybox:latest).
Result<ImageRecord> create_default_image(ImageStore& store, const std::string& busybox_path,
                                         const std::string& reference);

}  // namespace hako::image
