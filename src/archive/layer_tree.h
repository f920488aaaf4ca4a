// LayerTree: the namespace operations of one extraction, confined to the layer root.
//
// Every entry name reaches the filesystem as (parent dir fd, last component): the parent is
// resolved with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from the root fd, so ".."
// and symlinks (absolute ones too) resolve as if the root were "/", and the last component is
// then created or replaced with *at() calls that never follow it (O_EXCL|O_NOFOLLOW, mkdirat,
// symlinkat, mknodat, linkat without AT_SYMLINK_FOLLOW, unlinkat). Missing parents are
// created 0755, as Docker does.
//
// Directory metadata is deferred to finish(): creating children would move a directory's
// mtime, and a read-only mode would stop us creating them. Owned by the parser thread; the
// parent-dir cache makes the common "many entries in one directory" case one openat2.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "archive/extract.h"
#include "archive/metadata.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::archive {

class LayerTree {
 public:
  static Result<LayerTree> open(const std::string& dest_dir, const ExtractOptions& options);

  // Each takes a cleaned entry name (entry_path.h); "" is the root.
  Status make_dir(const std::string& name, const EntryMeta& meta);
  Result<UniqueFd> create_file(const std::string& name);  // opened O_WRONLY, mode 0600
  Status make_symlink(const std::string& name, const std::string& target, const EntryMeta& meta);
  Status make_hardlink(const std::string& name, const std::string& target);
  Status make_node(const std::string& name, mode_t type, dev_t dev, const EntryMeta& meta);
  // ".wh.NAME" in dir: removes NAME and puts a 0/0 char device in its place.
  Status make_whiteout(const std::string& dir, std::string_view target);
  // ".wh..wh..opq" in dir: marks dir opaque.
  Status make_opaque(const std::string& dir);

  // Applies deferred directory metadata, children before parents.
  Status finish();

 private:
  struct DirRecord {
    dev_t dev;
    ino_t ino;
    EntryMeta meta;
  };
  LayerTree(UniqueFd root, const ExtractOptions& options)
      : root_(std::move(root)), options_(&options) {}

  // The parent directory of a new entry, created if missing; the fd stays owned by the cache.
  Result<int> parent_dir(std::string_view parent);
  // Removes whatever is at (dirfd, base) unless it is a directory and keep_dir is set.
  // Returns true if a directory was kept.
  Result<bool> clear_slot(int dirfd, const std::string& base, const std::string& name,
                          bool keep_dir);
  // Runs make (a creating syscall returning 0 or -1 with errno); if the name exists, removes
  // it and runs make once more.
  Status create_or_replace(int dirfd, const std::string& base, const std::string& name,
                           const std::function<int()>& make, std::string_view what);
  Status remove_tree(int dirfd, const std::string& base);
  void forget_dirs_under(const std::string& name);

  UniqueFd root_;
  const ExtractOptions* options_;
  std::string cached_parent_;
  UniqueFd cached_fd_;
  bool cache_stale_ = false;
  std::map<std::string, DirRecord> dirs_;
};

// openat2(dirfd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), O_CLOEXEC added.
Result<UniqueFd> open_beneath_root(int root_fd, const std::string& path, int flags);

}  // namespace hako::archive
