// write_tar: a directory tree (an overlay upper dir or an unpacked layer) as a layer tar.
//
// The output is deterministic for a given tree: entries sorted by name (a directory before its
// contents), pax format restricted to ustar when nothing needs pax records, mtimes in whole
// seconds, no atime/ctime, no user or group names, numeric owners only. Overlay whiteouts (0/0
// char devices) become OCI ".wh.NAME" entries and opaque directories (trusted.overlay.opaque or
// user.overlay.opaque = y) get a ".wh..wh..opq" entry; regular files with several links
// become one file and hardlinks to it. Of the xattrs only security.capability is kept, as
// Docker does. Symlinks are stored, never followed. Single-threaded; the tree must not change
// while it is written.
#pragma once

#include <set>
#include <string>

#include "archive/id_remap.h"
#include "archive/reader.h"
#include "base/result.h"

namespace hako::archive {

struct TarStats {
  uint64_t entries = 0;
  uint64_t bytes = 0;  // regular file data
};

Result<TarStats> write_tar(const std::string& src_dir, Writer& out);
// As write_tar, leaving out the entries (and what is under them) named in skip: "etc/hosts",
// relative to src_dir. to_container: owners are host ids of a remapped container, stored as
// the container's ids (commit of a remapped container).
Result<TarStats> write_tar(const std::string& src_dir, Writer& out,
                           const std::set<std::string>& skip,
                           const IdRemap* to_container = nullptr);

// One file or tree as `cp` sends it: path_fd (O_PATH; O_NOFOLLOW for a symlink itself) becomes
// the entry `name` ("etc", "etc/passwd", ...); a directory with name "" gives its contents at
// the top level. Same format as write_tar.
Result<TarStats> write_tar_path(int path_fd, const std::string& name, Writer& out,
                                const IdRemap* to_container = nullptr);

}  // namespace hako::archive
