// LayerStore::unpack: for every missing layer at once, blob → decompress + sha256 →
// extract_layer → verify into a staging dir; then one syncfs for all of them and a rename each.
// LayerStore::unpack_stream: the same for one layer read from a stream (a blob downloading),
// published only once the caller confirms the stream was the verified blob.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <thread>

#include "snapshot/chain_id.h"
#include "snapshot/layer_lock.h"
#include "snapshot/layer_reader.h"
#include "snapshot/layer_store.h"
#include "snapshot/layout.h"
#include "sys/file.h"

namespace hako::snapshot {

namespace {

Status check_layer(const LayerToUnpack& l) {
  for (const oci::Digest* d : {&l.diff_id, &l.chain_id})
    if (d->algorithm() != "sha256")
      return not_implemented(d->to_string() + ": only sha256 layers can be unpacked");
  oci::Digest want = chain_id(l.parent, l.diff_id);
  if (want != l.chain_id)
    return invalid_argument("chain id " + l.chain_id.to_string() + " does not match its parent " +
                            (l.parent ? l.parent->to_string() : "(none)") + " and diff id " +
                            l.diff_id.to_string() + " (want " + want.to_string() + ")");
  return ok();
}

}  // namespace

Status LayerStore::extract_into(int fd, const LayerToUnpack& layer, const std::string& staging,
                                const archive::ExtractOptions& options,
                                UnpackResult* result) const {
  const std::string blob_what = "blob " + layer.blob.to_string();
  // The blob's digest was checked when it was stored (or, streamed, is checked by confirm before
  // the layer is published), so a plain tar is not hashed a second time.
  LayerReader reader(fd, layer.blob);
  auto stats =
      archive::extract_layer(reader, layers_dir_ + "/" + staging + "/" + layout::kDiff, options);
  if (!stats) return std::move(stats).error().context(blob_what);
  // The tar parser stops at the end-of-archive blocks; the diff id covers what follows too.
  HAKO_TRY_CTX(reader.drain(options.max_bytes), blob_what);
  oci::Digest got = reader.digest();
  if (got != layer.diff_id)
    return invalid_argument(blob_what + ": diff id mismatch: got " + got.to_string() + ", want " +
                            layer.diff_id.to_string());
  result->stats = *stats;
  result->size = stats->bytes;
  result->compression = reader.compression();
  LayerInfo info{layer.chain_id, layer.diff_id, layer.parent, stats->bytes};
  HAKO_TRY_ASSIGN(UniqueFd meta, sys::open_at(dir_->get(), staging + "/" + layout::kMeta,
                                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644));
  HAKO_TRY(sys::write_all(meta.get(), layout::encode_meta(info), layout::kMeta));
  return ok();
}

struct LayerStore::Staged {
  Staged(LayerLock l, std::string dir, std::string path) noexcept
      : lock(std::move(l)), staging(std::move(dir)), staging_path(std::move(path)) {}
  Staged(const Staged&) = delete;
  // Unpublished (an error elsewhere, or another layer failed first): the staging dir goes.
  ~Staged() {
    if (!staging.empty()) (void)sys::remove_all(staging_path);
  }
  LayerLock lock;
  std::string staging;  // relative to layers/; cleared once published
  std::string staging_path;
  UnpackResult result;
};

Result<std::unique_ptr<LayerStore::Staged>> LayerStore::stage_one(
    const content::Store& blobs, const LayerToUnpack& layer,
    const archive::ExtractOptions& options) const {
  HAKO_TRY(check_layer(layer));
  if (has(layer.chain_id)) return std::unique_ptr<Staged>();
  HAKO_TRY_ASSIGN(UniqueFd blob, blobs.open_blob(layer.blob));
  return stage_fd(blob.get(), layer, options);
}

Result<std::unique_ptr<LayerStore::Staged>> LayerStore::stage_fd(
    int fd, const LayerToUnpack& layer, const archive::ExtractOptions& options) const {
  if (has(layer.chain_id)) return std::unique_ptr<Staged>();
  const std::string hex(layer.chain_id.hex());
  HAKO_TRY_ASSIGN(LayerLock lock, LayerLock::acquire(dir_->get(), layout::lock_name(hex)));
  // Another thread or process may have finished it while we waited for the lock.
  if (has(layer.chain_id)) return std::unique_ptr<Staged>();

  std::string staging = layout::temp_name(layout::kStagingPrefix, hex);
  if (::mkdirat(dir_->get(), staging.c_str(), 0700) != 0) return sys_error("mkdir " + staging);
  auto staged = std::make_unique<Staged>(std::move(lock), staging, layers_dir_ + "/" + staging);
  staged->result.chain_id = layer.chain_id;
  std::string diff = staging + "/" + layout::kDiff;
  if (::mkdirat(dir_->get(), diff.c_str(), 0755) != 0) return sys_error("mkdir " + diff);
  HAKO_TRY(extract_into(fd, layer, staging, options, &staged->result));
  return staged;
}

Status LayerStore::publish(Staged& st) const {
  const std::string hex(st.result.chain_id.hex());
  // RENAME_NOREPLACE: a directory rename would silently replace an empty directory of that
  // name; nothing but us under the lock should create one, but if it exists it wins.
  if (::renameat2(dir_->get(), st.staging.c_str(), dir_->get(), hex.c_str(), RENAME_NOREPLACE) !=
      0) {
    if (errno == EEXIST && has(st.result.chain_id)) return ok();  // staging removed by ~Staged
    return sys_error("rename " + st.staging + " to " + hex);
  }
  st.staging.clear();
  st.result.unpacked = true;
  return ok();
}

Result<UnpackResult> LayerStore::unpack_stream(int fd, const LayerToUnpack& layer,
                                               const std::function<Status()>& confirm,
                                               const UnpackOptions& options) const {
  const std::string what = "unpack layer " + layer.chain_id.to_string();
  HAKO_TRY_CTX(check_layer(layer), what);
  auto r = stage_fd(fd, layer, options.extract);
  if (!r) return std::move(r).error().context(what);
  std::unique_ptr<Staged> staged = std::move(*r);
  // Before anything is published: the stream's bytes were the blob whose digest verified.
  HAKO_TRY_CTX(confirm(), what);
  UnpackResult present{.chain_id = layer.chain_id};
  if (!staged) {  // present already, or finished by another unpacker meanwhile
    if (auto s = size(layer.chain_id)) present.size = *s;
    return present;
  }
  if (::syncfs(dir_->get()) != 0) return sys_error("syncfs " + layers_dir_);
  HAKO_TRY_CTX(publish(*staged), what);
  if (::fsync(dir_->get()) != 0) return sys_error("fsync " + layers_dir_);
  if (!staged->result.unpacked) {  // lost the rename to a finished copy
    if (auto s = size(layer.chain_id)) present.size = *s;
    return present;
  }
  return staged->result;
}

Result<std::vector<UnpackResult>> LayerStore::unpack(const content::Store& blobs,
                                                     const std::vector<LayerToUnpack>& layers,
                                                     const UnpackOptions& options) const {
  // One job per distinct chain id that is missing; duplicates and present layers cost nothing.
  std::vector<size_t> jobs;
  std::map<oci::Digest, size_t> first;
  for (size_t i = 0; i < layers.size(); ++i)
    if (first.emplace(layers[i].chain_id, i).second && !has(layers[i].chain_id)) jobs.push_back(i);

  std::vector<std::optional<Result<std::unique_ptr<Staged>>>> staged(layers.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t j; (j = next.fetch_add(1)) < jobs.size();) {
      const LayerToUnpack& l = layers[jobs[j]];
      auto r = stage_one(blobs, l, options.extract);
      if (!r) r = std::move(r).error().context("unpack layer " + l.chain_id.to_string());
      staged[jobs[j]] = std::move(r);
    }
  };
  unsigned threads = options.parallel;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, jobs.size()));
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
    for (auto& t : pool) t.join();
  }

  // One syncfs makes every staged layer durable (extract_layer fsyncs nothing) before any
  // rename makes one visible: one flush of the file system, not one per layer.
  bool any_staged =
      std::any_of(staged.begin(), staged.end(), [](const auto& r) { return r && *r && **r; });
  if (any_staged && ::syncfs(dir_->get()) != 0) return sys_error("syncfs " + layers_dir_);
  for (auto& r : staged) {
    if (!r || !*r || !**r) continue;
    if (auto st = publish(***r); !st) *r = std::move(st).error();
  }
  if (any_staged && ::fsync(dir_->get()) != 0) return sys_error("fsync " + layers_dir_);

  std::optional<Error> error;
  std::vector<UnpackResult> out;
  out.reserve(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    size_t src = first.at(layers[i].chain_id);
    if (src != i || !staged[i] || (*staged[i] && !**staged[i])) {  // duplicate, or present
      UnpackResult present{.chain_id = layers[i].chain_id};
      if (auto s = size(present.chain_id)) present.size = *s;
      out.push_back(std::move(present));
      continue;
    }
    if (!*staged[i]) {
      if (!error) error = std::move(*staged[i]).error();
      continue;
    }
    UnpackResult r = (**staged[i])->result;
    if (!r.unpacked) {  // lost the rename to a finished copy
      r = UnpackResult{.chain_id = layers[i].chain_id};
      if (auto s = size(r.chain_id)) r.size = *s;
    }
    out.push_back(std::move(r));
  }
  if (error) return std::move(*error);
  return out;
}

}  // namespace hako::snapshot
