// The default config.json that `hako-runtime spec` writes: runc's template (busybox-friendly:
// sh with a terminal, read-only root, the usual /dev, /proc, /sys mounts and masked paths),
// and its rootless variant with a user namespace mapping the caller's ids to root.
#pragma once

#include <sys/types.h>
#include <string>

namespace hako::runtime {

std::string default_spec_json(bool rootless, uid_t uid, gid_t gid);

}  // namespace hako::runtime
