// `cp`: copying files and trees between a container and the host, or a tar stream, with
// Docker's rules.
//
// Each side is a CopyEnd: a path inside a container's root (root_fd, from ContainerRoot, every
// component resolved with RESOLVE_IN_ROOT) or on the host (root_fd < 0, ordinary lookup: the
// host is the user's own). The data always travels as a tar stream, as in Docker: a thread
// writes the source with archive::write_tar_path into a socket and the caller's thread extracts
// it with archive::extract_layer into the destination directory, with .wh. names taken
// literally and no directory replaced by a file or the reverse. Extraction is confined to the
// destination directory (its root for RESOLVE_IN_ROOT), so a hostile tar from stdin cannot
// write outside it, let alone outside the container.
//
// Docker's rules (docker/docker pkg/archive/copy.go): a source ending in "/." copies a
// directory's contents; a directory onto an existing directory goes inside it, onto a missing
// path becomes that path, onto a file is an error; a file onto a directory goes inside it, onto
// a file replaces it, onto a missing path becomes it (a trailing "/" then is an error). Symlinks
// are copied as links unless follow_link (a source's last component) or a trailing "/"; a
// symlink at the destination is followed (its target replaced, not the link).
// Owners: the tar's (archive), else the caller's, which as root is the container's root user
// (for a remapped container: its root's host ids).
// Stateless; the calls block until the copy is done.
#pragma once

#include <optional>
#include <string>

#include "archive/id_remap.h"
#include "archive/reader.h"
#include "base/result.h"

namespace hako::engine {

struct CopyEnd {
  int root_fd = -1;     // a container's root (O_PATH dir); < 0: the host
  std::string path;     // as the user typed it (absolute in a container; trailing "/." kept)
  std::string display;  // for messages: "web:/etc" or "/tmp/x"
  // A remapped container's maps: its files' host owners travel as its own ids, and what is
  // copied in belongs to its root (or, with -a, to the host ids of the tar's).
  std::optional<archive::IdRemap> remap;
};

struct CopyOptions {
  bool archive = false;      // -a: keep uid/gid
  bool follow_link = false;  // -L: follow a symlink at the source
};

Status copy_path(const CopyEnd& src, const CopyEnd& dst, const CopyOptions& o);
// `cp CONTAINER:SRC -`: the source as a tar on out, its entries named after its last
// component ("hostname", "etc/passwd"), or "./..." for a "/." source.
Status copy_to_tar(const CopyEnd& src, const CopyOptions& o, archive::Writer& out);
// `cp - CONTAINER:DEST`: a tar (plain, gzip or zstd) extracted into the directory dst.
Status copy_from_tar(archive::Reader& in, const CopyEnd& dst, const CopyOptions& o);

}  // namespace hako::engine
