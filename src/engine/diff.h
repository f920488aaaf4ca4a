// `diff`: what a container changed in its filesystem, from its overlay upper dir, as Docker's
// overlay2 driver reports it (docker/docker pkg/archive/changes.go, OverlayChanges).
//
// A 0/0 character device in upper/ is a deleted path ("D"); an opaque directory that exists
// below is one too (deleted and made again). Any other entry is "C" if the image's layers have
// the path (a directory whose size, mode and mtime are unchanged is left out) and "A" if not,
// and the parent of an added or deleted path is always listed as changed. Entries come in
// Docker's order: a depth-first walk in byte order of names, parents before children.
// Mount points the runtime made for the container's own files (/etc/hosts, /etc/hostname,
// /etc/resolv.conf, /dev/..., ...) are left out when they are still the empty stand-ins it
// created, as Docker keeps them in its init layer. Read-only; one thread.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace hako::engine {

struct Change {
  char kind;         // 'C', 'A' or 'D'
  std::string path;  // "/etc/passwd"
};

// The mount destinations of the container's spec ("/etc/hosts", "/data") that are, in its
// upper dir, still the empty file or directory the runtime made for them.
std::set<std::string> mount_stand_ins(const ContainerPaths& p);

// upper: the container's upper dir; lowers: the image's layer dirs, top first. hidden: paths
// to leave out (mount_stand_ins).
Result<std::vector<Change>> upper_changes(const std::string& upper,
                                          const std::vector<std::string>& lowers,
                                          const std::set<std::string>& hidden);

Result<std::vector<Change>> container_changes(Engine& eng, const ContainerRecord& c);

}  // namespace hako::engine
