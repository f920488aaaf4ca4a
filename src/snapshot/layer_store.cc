#include "snapshot/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "snapshot/layer_lock.h"
#include "snapshot/layout.h"
#include "sys/file.h"

namespace hako::snapshot {

namespace {

// Every entry name in the layers directory, "." and ".." excluded.
Result<std::vector<std::string>> list_names(int dir_fd) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open layers");
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return sys_error("open layers");
  }
  std::vector<std::string> out;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") out.emplace_back(name);
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return Error::from_errno(err, "read layers");
  return out;
}

std::string layer_name(const oci::Digest& d) { return "layer " + d.to_string(); }

}  // namespace

Result<LayerStore> LayerStore::open(const std::string& root) {
  HAKO_TRY_CTX(sys::make_dirs(root + "/layers", 0700), "open layer store " + root);
  HAKO_TRY_ASSIGN(UniqueFd dir, sys::open_path(root + "/layers", O_RDONLY | O_DIRECTORY));
  return LayerStore(root, std::make_shared<const UniqueFd>(std::move(dir)));
}

std::string LayerStore::layer_path(const oci::Digest& chain_id) const {
  return layers_dir_ + "/" + std::string(chain_id.hex());
}

std::string LayerStore::diff_path(const oci::Digest& chain_id) const {
  return layer_path(chain_id) + "/" + layout::kDiff;
}

bool LayerStore::has(const oci::Digest& chain_id) const {
  if (chain_id.algorithm() != "sha256") return false;
  // meta.json is written inside the staging directory before the rename that publishes it,
  // so its presence under the real name means the whole layer is there.
  std::string meta = std::string(chain_id.hex()) + "/" + layout::kMeta;
  struct stat st {};
  return ::fstatat(dir_->get(), meta.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

Result<LayerInfo> LayerStore::info(const oci::Digest& chain_id) const {
  if (chain_id.algorithm() != "sha256")
    return not_found(layer_name(chain_id) + ": only sha256 chain ids are stored");
  std::string meta = std::string(chain_id.hex()) + "/" + layout::kMeta;
  auto text = sys::read_file_at(dir_->get(), meta, 64 << 10);
  if (!text) return std::move(text).error().context(layer_name(chain_id));
  auto info = layout::decode_meta(*text);
  if (!info) return std::move(info).error().context(layer_name(chain_id));
  if (info->chain_id != chain_id)
    return internal_error(layer_name(chain_id) + ": meta.json names " + info->chain_id.to_string() +
                          "; remove the layer and unpack it again");
  return info;
}

Result<uint64_t> LayerStore::size(const oci::Digest& chain_id) const {
  HAKO_TRY_ASSIGN(LayerInfo i, info(chain_id));
  return i.size;
}

Result<std::vector<std::string>> LayerStore::lower_dirs(const oci::Digest& chain_id) const {
  std::vector<std::string> out;
  std::optional<oci::Digest> cur = chain_id;
  // Images have at most a few hundred layers (overlay stacks 500); the bound stops a forged
  // meta.json cycle from looping forever.
  constexpr size_t kMaxDepth = 4096;
  while (cur) {
    if (out.size() == kMaxDepth)
      return failed_precondition(layer_name(chain_id) + ": more than 4096 layers in its chain");
    auto i = info(*cur);
    if (!i) return std::move(i).error().context("lower dirs of " + layer_name(chain_id));
    out.push_back(diff_path(*cur));
    cur = i->parent;
  }
  return out;
}

Status LayerStore::remove(const oci::Digest& chain_id) const {
  const std::string what = "remove " + layer_name(chain_id);
  if (chain_id.algorithm() != "sha256") return not_found(what + ": not unpacked");
  const std::string hex(chain_id.hex());
  HAKO_TRY_ASSIGN(LayerLock lock, LayerLock::acquire(dir_->get(), layout::lock_name(hex)));
  struct stat st {};
  if (::fstatat(dir_->get(), hex.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno == ENOENT ? not_found(what + ": not unpacked") : sys_error(what);
  std::string trash = layout::temp_name(layout::kTrashPrefix, hex);
  if (::renameat(dir_->get(), hex.c_str(), dir_->get(), trash.c_str()) != 0)
    return sys_error(what + ": rename to " + trash);
  // The rename is what must survive a crash: the layer is gone under its name before any file
  // in it is deleted. Trash left by a crash is cleanup()'s.
  if (::fsync(dir_->get()) != 0) return sys_error(what + ": fsync layers");
  HAKO_TRY_CTX(sys::remove_all(layers_dir_ + "/" + trash), what);
  return ok();
}

Result<size_t> LayerStore::cleanup() const {
  HAKO_TRY_ASSIGN(auto names, list_names(dir_->get()));
  size_t removed = 0;
  for (const auto& name : names) {
    auto hex = layout::temp_hex(name, layout::kStagingPrefix);
    if (!hex) hex = layout::temp_hex(name, layout::kTrashPrefix);
    bool stale_lock = false;
    if (!hex && name.starts_with(layout::kLockPrefix) &&
        layout::is_hex64(std::string_view(name).substr(layout::kLockPrefix.size()))) {
      hex = name.substr(layout::kLockPrefix.size());
      stale_lock = true;
    }
    if (!hex) continue;
    // A live unpack or remove of this chain holds the lock for as long as its directory
    // exists; if we can take it, the directory's owner is gone. Releasing it unlinks the file,
    // which is all a stale lock file needs.
    HAKO_TRY_ASSIGN(auto lock, LayerLock::try_acquire(dir_->get(), layout::lock_name(*hex)));
    if (!lock || stale_lock) continue;
    auto s = sys::remove_all(layers_dir_ + "/" + name);
    if (!s) {
      if (s.error().sys_errno() == ENOENT) continue;
      return std::move(s).error().context("clean up layers");
    }
    ++removed;
  }
  return removed;
}

Result<std::vector<oci::Digest>> LayerStore::list() const {
  HAKO_TRY_ASSIGN(auto names, list_names(dir_->get()));
  std::vector<oci::Digest> out;
  for (const auto& name : names) {
    if (!layout::is_hex64(name)) continue;
    auto d = oci::Digest::from_parts("sha256", name);
    if (d && has(*d)) out.push_back(std::move(*d));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace hako::snapshot
