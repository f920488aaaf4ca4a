// open_spool: an anonymous scratch file for a stream whose size must be known before it is
// written on (a decompressed layer inside a tar) or that must be read twice (a compressed
// import). It lives under the store root, on the blobs' filesystem rather than in /tmp (often a
// small tmpfs), and has no name: O_TMPFILE, or a named file unlinked at once where the
// filesystem lacks O_TMPFILE. Closing the fd frees it, so nothing is left after a crash.
// Thread safe.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::image {

Result<UniqueFd> open_spool(const std::string& dir);

}  // namespace hako::image
