// extract_layer: unpacks one image layer (a tar stream) into a directory, safely and fast.
//
// The stream may be a plain, gzip or zstd tar (detected from its first bytes). libarchive only
// parses it; every file, directory, link and node is created by this module, each name
// resolved inside dest_dir (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS for parents, then
// *at() calls on the last component with O_NOFOLLOW semantics), so no entry and no symlink
// extracted earlier can make it write outside dest_dir. OCI whiteouts become overlayfs ones.
//
// Contract with the caller: dest_dir is a fresh, empty staging directory the caller owns.
// On error the contents are partial and the caller removes the directory; on success the
// caller makes the data durable with one syncfs() and publishes the layer by rename(). No
// file is fsync'd here: that is what lets extraction beat `tar -x`.
//
// Threads: extract_layer runs a parser on the calling thread and ExtractOptions::workers
// threads that write regular files' data and metadata (file_pool.h); they are joined before it
// returns. Reader is only used from the calling thread. Concurrent calls on different dest_dirs are
// fine.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "archive/id_remap.h"
#include "archive/reader.h"
#include "base/result.h"

namespace hako::archive {

enum class DevicePolicy {
  kCreate,  // mknod char/block devices (needs CAP_MKNOD)
  kSkip,    // leave them out silently (rootless)
  kRefuse,  // fail the layer
};

struct ExtractOptions {
  // Threads writing regular files; 0 = the parser writes everything itself; unset = one less
  // than the CPUs, at most 4 (the parser is the bottleneck beyond that; on 2 cores 1 worker
  // measured best, more only contended).
  std::optional<unsigned> workers;
  // Bounds against decompression bombs and hostile layers (sum of regular files' sizes as
  // stored, sparse holes included, and number of tar entries).
  uint64_t max_bytes = uint64_t{1} << 40;
  uint64_t max_entries = 10'000'000;
  DevicePolicy devices = DevicePolicy::kCreate;  // fifos are always created
  // chown entries to the tar's uid/gid (+ id_shift). Off for rootless extraction, where files
  // stay owned by the caller.
  bool preserve_owners = true;
  uint32_t id_shift = 0;  // added to every uid and gid (user-namespace remapping)
  // Extraction into a remapped container: with preserve_owners the tar's ids are the
  // container's and get their host ids (id_shift unused); without, every entry is chowned to
  // the container's root instead of staying the caller's.
  std::optional<IdRemap> remap;
  // Write the opaque marker as user.overlay.opaque (overlay's userxattr option, rootless).
  bool userxattr = false;
  // ".wh." entries are whiteouts (layers); off for `cp`, where they are ordinary names.
  bool whiteouts = true;
  // Refuse to replace a directory with a non-directory or the reverse (Docker's
  // NoOverwriteDirNonDir, for `cp`); layers replace freely.
  bool keep_types = false;
  // Memory for file data copied out of libarchive and waiting for a worker.
  size_t queue_bytes = 64 << 20;
};

struct ExtractStats {
  uint64_t entries = 0;
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t symlinks = 0;
  uint64_t hardlinks = 0;
  uint64_t nodes = 0;      // devices and fifos
  uint64_t whiteouts = 0;  // .wh.NAME and opaque markers
  uint64_t bytes = 0;      // regular file data, as stored (holes excluded)
};

Result<ExtractStats> extract_layer(Reader& input, const std::string& dest_dir,
                                   const ExtractOptions& options = {});

}  // namespace hako::archive
