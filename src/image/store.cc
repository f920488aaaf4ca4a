#include "image/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "base/strings.h"
#include "oci/platform.h"
#include "snapshot/chain_id.h"
#include "sys/file.h"

namespace hako::image {
namespace {

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

std::string short_id(const oci::Digest& d) { return std::string(d.hex().substr(0, 12)); }

std::string pending_dir(const std::string& root) { return root + "/pending"; }

bool has_pending_marks(const std::string& root) {
  DIR* d = ::opendir(pending_dir(root).c_str());
  if (!d) return false;
  bool found = false;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

void clear_pending_marks(const std::string& root) {
  DIR* d = ::opendir(pending_dir(root).c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d))
    if (e->d_name[0] != '.') ::unlinkat(dirfd(d), e->d_name, 0);
  ::closedir(d);
}

}  // namespace

void PendingMark::done() {
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

Result<PendingMark> ImageStore::mark_pending() {
  HAKO_TRY(sys::make_dirs(pending_dir(root_), 0700));
  std::string path = pending_dir(root_) + "/" + std::to_string(::getpid()) + "-" +
                     std::to_string(::time(nullptr)) + "-" +
                     std::to_string(reinterpret_cast<uintptr_t>(&path) & 0xffff);
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  return PendingMark(std::move(path));
}

std::string familiar(const std::string& normalised) {
  auto ref = oci::parse_reference(normalised, oci::DefaultTag::kNone);
  return ref ? ref->familiar_string() : normalised;
}

Result<ImageStore> ImageStore::open(const std::string& root) {
  HAKO_TRY(sys::make_dirs(root, 0700));
  HAKO_TRY_ASSIGN(auto blobs, content::Store::open(root));
  HAKO_TRY_ASSIGN(auto layers, snapshot::LayerStore::open(root));
  HAKO_TRY_ASSIGN(auto meta, Metadata::open(root + "/hako.db"));
  HAKO_TRY_ASSIGN(UniqueFd lock,
                  sys::open_path(root + "/store.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  ImageStore store(root, std::move(blobs), std::move(layers), std::move(meta), std::move(lock));
  // Debris of a crashed hako is only removed when nobody else is using the store: a
  // concurrent load's temp files look exactly like a dead one's.
  if (::flock(store.lock_.get(), LOCK_EX | LOCK_NB) == 0) {
    (void)store.blobs_.cleanup_ingest(std::chrono::seconds(0));
    (void)store.layers_.cleanup();
    if (has_pending_marks(root) && store.collect_garbage(false)) clear_pending_marks(root);
  }
  store.lock_shared();
  return store;
}

void ImageStore::lock_shared() { (void)::flock(lock_.get(), LOCK_SH); }

Status ImageStore::lock_exclusive() {
  // flock converts a shared lock into an exclusive one, waiting for other holders.
  if (::flock(lock_.get(), LOCK_EX) != 0) return sys_error("lock " + root_ + "/store.lock");
  return ok();
}

Result<ImageRecord> ImageStore::add_image(const oci::Digest& manifest_digest,
                                          const std::vector<std::string>& refs) {
  HAKO_TRY_ASSIGN(std::string manifest_bytes, blobs_.read_blob(manifest_digest));
  HAKO_TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(manifest_bytes));
  HAKO_TRY_ASSIGN(std::string config_bytes,
                  blobs_.read_blob(manifest.config.digest, oci::kMaxDocumentBytes));
  HAKO_TRY_ASSIGN(oci::ImageConfig config, oci::parse_image_config(config_bytes));
  const auto& diff_ids = config.rootfs.diff_ids;
  if (diff_ids.size() != manifest.layers.size())
    return invalid_argument("image " + manifest.config.digest.to_string() + ": manifest has " +
                            std::to_string(manifest.layers.size()) + " layers, config " +
                            std::to_string(diff_ids.size()) + " diff ids");
  std::vector<oci::Digest> chains = snapshot::chain_ids(diff_ids);
  std::vector<snapshot::LayerToUnpack> todo;
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    const auto& desc = manifest.layers[i];
    if (!oci::find_layer_type(desc.media_type))
      return invalid_argument("layer " + desc.digest.to_string() + ": unsupported media type \"" +
                              desc.media_type + "\"");
    snapshot::LayerToUnpack l;
    l.blob = desc.digest;
    l.diff_id = diff_ids[i];
    l.chain_id = chains[i];
    if (i > 0) l.parent = chains[i - 1];
    todo.push_back(std::move(l));
  }
  HAKO_TRY_ASSIGN(auto unpacked, layers_.unpack(blobs_, todo, snapshot::UnpackOptions{}));
  ImageRecord rec;
  rec.id = manifest.config.digest;
  rec.manifest = manifest_digest;
  rec.manifest_media_type = manifest.media_type;
  rec.created = config.created;
  for (size_t i = 0; i < todo.size(); ++i) {
    LayerRecord l;
    l.diff_id = todo[i].diff_id;
    l.chain_id = todo[i].chain_id;
    l.blob = todo[i].blob;
    l.media_type = manifest.layers[i].media_type;
    l.blob_size = manifest.layers[i].size;
    HAKO_TRY_ASSIGN(uint64_t size, layers_.size(l.chain_id));
    l.size = static_cast<int64_t>(size);
    rec.size += l.size;
    rec.layers.push_back(std::move(l));
  }
  (void)unpacked;
  HAKO_TRY(meta_.add_image(rec, refs));
  HAKO_TRY_ASSIGN(auto stored, meta_.find_image(rec.id));
  return stored ? std::move(*stored) : rec;
}

Result<ImageRecord> ImageStore::resolve(std::string_view name) {
  auto no_such = [&] { return not_found("no such image: " + std::string(name)); };
  // "sha256:<hex>" is always an id; anything else is first tried as a reference, as Docker
  // does ("abc123" may be a repository), then as an id prefix.
  bool explicit_id = starts_with(name, "sha256:");
  std::string_view hex = explicit_id ? name.substr(7) : name;
  if (!explicit_id) {
    auto ref = oci::parse_reference(name);
    if (ref) {
      HAKO_TRY_ASSIGN(auto id, meta_.find_ref(ref->to_string()));
      if (id) {
        HAKO_TRY_ASSIGN(auto rec, meta_.find_image(*id));
        if (rec) return std::move(*rec);
      }
    } else if (!is_hex(hex)) {
      return std::move(ref).error();
    }
  }
  if (!is_hex(hex)) return no_such();
  HAKO_TRY_ASSIGN(auto ids, meta_.find_ids_by_prefix(std::string(hex)));
  if (ids.empty()) return no_such();
  if (ids.size() > 1)
    return invalid_argument("image id prefix " + std::string(hex) +
                            " is ambiguous: give more of the id");
  HAKO_TRY_ASSIGN(auto rec, meta_.find_image(ids.front()));
  if (!rec) return no_such();
  return std::move(*rec);
}

Result<LoadedImage> ImageStore::load(const ImageRecord& record) {
  LoadedImage out;
  out.record = record;
  HAKO_TRY_ASSIGN(out.config_bytes, blobs_.read_blob(record.id, oci::kMaxDocumentBytes));
  HAKO_TRY_ASSIGN(out.config, oci::parse_image_config(out.config_bytes));
  HAKO_TRY_ASSIGN(out.refs, meta_.refs_of(record.id));
  return out;
}

Status ImageStore::tag(std::string_view source, std::string_view target) {
  HAKO_TRY_ASSIGN(auto rec, resolve(source));
  HAKO_TRY_ASSIGN(auto ref, oci::parse_reference(target));
  if (ref.digest)
    return invalid_argument("tag " + std::string(target) +
                            ": a tag can not contain a digest; give name:tag");
  return meta_.set_ref(ref.to_string(), rec.id);
}

Result<RemoveReport> ImageStore::remove(std::string_view name, bool force) {
  HAKO_TRY_ASSIGN(auto rec, resolve(name));
  HAKO_TRY_ASSIGN(auto refs, meta_.refs_of(rec.id));
  HAKO_TRY_ASSIGN(auto users, meta_.containers_using(rec.id));
  RemoveReport report;
  // By reference: untag that one name; the image goes with its last tag.
  std::optional<std::string> by_ref;
  if (auto ref = oci::parse_reference(name)) {
    if (std::find(refs.begin(), refs.end(), ref->to_string()) != refs.end())
      by_ref = ref->to_string();
  }
  bool last_tag = true;
  if (by_ref) {
    last_tag = std::count_if(refs.begin(), refs.end(),
                             [](const std::string& r) { return r.find('@') == r.npos; }) <= 1;
    if (last_tag && !users.empty() && !force)
      return failed_precondition("conflict: unable to remove repository reference \"" +
                                 std::string(name) + "\" (must force) - container " +
                                 users.front().substr(0, 12) + " is using its referenced image " +
                                 short_id(rec.id));
    HAKO_TRY(meta_.remove_ref(*by_ref));
    report.untagged.push_back(familiar(*by_ref));
    refs.erase(std::find(refs.begin(), refs.end(), *by_ref));
    if (!last_tag) return report;
  } else if (!force) {
    if (!users.empty())
      return failed_precondition("conflict: unable to delete " + short_id(rec.id) +
                                 " (must be forced) - image is being used by container " +
                                 users.front().substr(0, 12));
    std::vector<std::string> repos;
    for (const auto& r : refs) {
      auto parsed = oci::parse_reference(r, oci::DefaultTag::kNone);
      if (parsed && std::find(repos.begin(), repos.end(), parsed->name()) == repos.end())
        repos.push_back(parsed->name());
    }
    if (repos.size() > 1)
      return failed_precondition("conflict: unable to delete " + short_id(rec.id) +
                                 " (must be forced) - image is referenced in multiple "
                                 "repositories");
  }
  for (const auto& r : refs) {
    HAKO_TRY(meta_.remove_ref(r));
    report.untagged.push_back(familiar(r));
  }
  // Forced while a container uses it: untagged but kept (dangling), as Docker does, so the
  // container keeps its layers.
  if (!users.empty()) return report;
  HAKO_TRY(lock_exclusive());
  auto removed = meta_.remove_image(rec.id);
  if (!removed) {
    lock_shared();
    return std::move(removed).error();
  }
  report.deleted.push_back(rec.id);
  auto gc = collect_garbage(false);
  lock_shared();
  if (!gc) return std::move(gc).error();
  report.reclaimed = gc->bytes;
  return report;
}

Result<RemoveReport> ImageStore::prune(bool all) {
  HAKO_TRY_ASSIGN(auto images, meta_.list_images());
  RemoveReport report;
  HAKO_TRY(lock_exclusive());
  for (const auto& img : images) {
    auto refs = meta_.refs_of(img.id);
    if (!refs) {
      lock_shared();
      return std::move(refs).error();
    }
    auto users = meta_.containers_using(img.id);
    if (!users) {
      lock_shared();
      return std::move(users).error();
    }
    if (!users->empty() || (!all && !refs->empty())) continue;
    for (const auto& r : *refs) report.untagged.push_back(familiar(r));
    if (auto s = meta_.remove_image(img.id); !s) {
      lock_shared();
      return std::move(s).error();
    }
    report.deleted.push_back(img.id);
  }
  auto gc = collect_garbage(false);
  lock_shared();
  if (!gc) return std::move(gc).error();
  report.reclaimed = gc->bytes;
  return report;
}

Result<GcReport> ImageStore::collect_garbage(bool dry_run) {
  GcReport report;
  HAKO_TRY_ASSIGN(auto live_blobs, meta_.live_blobs());
  HAKO_TRY_ASSIGN(auto live_chains, meta_.live_chain_ids());
  HAKO_TRY_ASSIGN(auto all_blobs, blobs_.list());
  for (const auto& d : all_blobs) {
    if (live_blobs.count(d)) continue;
    ++report.blobs;
    if (auto sz = blobs_.size(d)) report.bytes += static_cast<int64_t>(*sz);
    if (!dry_run) HAKO_TRY(blobs_.remove(d));
  }
  HAKO_TRY_ASSIGN(auto all_layers, layers_.list());
  for (const auto& c : all_layers) {
    if (live_chains.count(c)) continue;
    ++report.layers;
    if (auto sz = layers_.size(c)) report.bytes += static_cast<int64_t>(*sz);
    if (!dry_run) HAKO_TRY(layers_.remove(c));
  }
  if (!dry_run) {
    HAKO_TRY_ASSIGN(size_t ingest, blobs_.cleanup_ingest(std::chrono::seconds(0)));
    HAKO_TRY_ASSIGN(size_t staging, layers_.cleanup());
    report.debris = ingest + staging;
  }
  return report;
}

}  // namespace hako::image
