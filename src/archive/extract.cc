#include "archive/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "archive/entry_path.h"
#include "archive/file_pool.h"
#include "archive/layer_tree.h"
#include "archive/read_stream.h"
#include "archive/whiteout.h"

namespace hako::archive {
namespace {

// Files at least this big are written by the parser as they stream in, not copied for a
// worker: memory stays bounded whatever their size, and big files are few.
constexpr uint64_t kDirectWriteBytes = 4 << 20;

Error entry_error(const std::string& raw_name, Error e) {
  return std::move(e).context("layer entry \"" + raw_name + "\"");
}

timespec to_timespec(time_t sec, long nsec) { return timespec{sec, nsec}; }

Result<EntryMeta> read_meta(struct archive_entry* entry) {
  EntryMeta meta;
  meta.uid = static_cast<uint32_t>(archive_entry_uid(entry));
  meta.gid = static_cast<uint32_t>(archive_entry_gid(entry));
  if (archive_entry_uid(entry) < 0 || archive_entry_uid(entry) > 0xfffffffe ||
      archive_entry_gid(entry) < 0 || archive_entry_gid(entry) > 0xfffffffe)
    return invalid_argument("owner out of range");
  meta.perm = archive_entry_perm(entry) & 07777;
  meta.mtime = to_timespec(archive_entry_mtime(entry), archive_entry_mtime_nsec(entry));
  meta.atime = archive_entry_atime_is_set(entry)
                   ? to_timespec(archive_entry_atime(entry), archive_entry_atime_nsec(entry))
                   : meta.mtime;
  if (archive_entry_xattr_reset(entry) > 0) {
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
      // Overlay metadata from a layer could forge whiteouts, redirects or metacopy files in
      // the merged view; only the extractor writes it (whiteout.h).
      if (is_overlay_xattr(name))
        return Error(ErrorCode::kPermissionDenied,
                     std::string("xattr ") + name + " is reserved for overlayfs");
      meta.xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
  }
  return meta;
}

class Extractor {
 public:
  Extractor(const ReadStream& stream, LayerTree& tree, FilePool* pool,
            const ExtractOptions& options)
      : a_(stream.get()), stream_(stream), tree_(tree), pool_(pool), options_(options) {}

  Status run() {
    for (;;) {
      struct archive_entry* entry;
      int r = archive_read_next_header(a_, &entry);
      if (r == ARCHIVE_EOF) break;
      // ARCHIVE_WARN covers e.g. names not convertible to the locale: the raw bytes are used.
      if (r < ARCHIVE_WARN) return stream_.error("read layer");
      const char* raw = archive_entry_pathname(entry);
      std::string raw_name = raw ? raw : "";
      if (++stats_.entries > options_.max_entries)
        return entry_error(raw_name, Error(ErrorCode::kResourceExhausted,
                                           "layer has more than " +
                                               std::to_string(options_.max_entries) + " entries"));
      auto st = one_entry(entry, raw_name);
      if (!st) return entry_error(raw_name, std::move(st).error());
    }
    return ok();
  }

  const ExtractStats& stats() const { return stats_; }

 private:
  Status one_entry(struct archive_entry* entry, const std::string& raw_name) {
    HAKO_TRY_ASSIGN(std::string name, clean_entry_name(raw_name));
    HAKO_TRY_ASSIGN(EntryMeta meta, read_meta(entry));
    auto [parent_view, base] = split_entry_name(name);
    std::string parent(parent_view);

    if (!name.empty() && options_.whiteouts) {
      WhiteoutName wh = classify_whiteout(base);
      switch (wh.kind) {
        case WhiteoutKind::kNone:
          break;
        case WhiteoutKind::kMeta:
          return ok();
        case WhiteoutKind::kWhiteout:
          ++stats_.whiteouts;
          return tree_.make_whiteout(parent, wh.target);
        case WhiteoutKind::kOpaque:
          ++stats_.whiteouts;
          return tree_.make_opaque(parent);
      }
    }

    if (const char* link = archive_entry_hardlink(entry)) {
      ++stats_.hardlinks;
      if (name.empty()) return invalid_argument("hardlink over the layer root");
      return tree_.make_hardlink(name, link);
    }
    mode_t type = archive_entry_filetype(entry);
    if (name.empty() && type != AE_IFDIR)
      return invalid_argument("the layer root can only be a directory");
    switch (type) {
      case AE_IFDIR:
        ++stats_.dirs;
        return tree_.make_dir(name, meta);
      case AE_IFREG:
        ++stats_.files;
        return regular_file(entry, name, std::move(meta));
      case AE_IFLNK: {
        ++stats_.symlinks;
        const char* target = archive_entry_symlink(entry);
        return tree_.make_symlink(name, target ? target : "", meta);
      }
      case AE_IFCHR:
      case AE_IFBLK:
        if (options_.devices == DevicePolicy::kSkip) return ok();
        if (options_.devices == DevicePolicy::kRefuse)
          return Error(ErrorCode::kPermissionDenied, "device nodes are not allowed here");
        [[fallthrough]];
      case AE_IFIFO:
        ++stats_.nodes;
        return tree_.make_node(
            name, type, makedev(archive_entry_rdevmajor(entry), archive_entry_rdevminor(entry)),
            meta);
      default:
        return invalid_argument("unsupported entry type " + std::to_string(type));
    }
  }

  Status regular_file(struct archive_entry* entry, const std::string& name, EntryMeta meta) {
    uint64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
    total_bytes_ += size;
    if (total_bytes_ > options_.max_bytes)
      return Error(ErrorCode::kResourceExhausted,
                   "layer holds more than " + std::to_string(options_.max_bytes) + " bytes");
    FileJob job;
    job.name = name;
    job.size = size;
    job.meta = std::move(meta);
    HAKO_TRY_ASSIGN(job.fd, tree_.create_file(name));
    bool direct = pool_ == nullptr || size >= kDirectWriteBytes;
    if (!direct) job.data.reserve(size);
    uint64_t end = 0;
    for (;;) {
      const void* block;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block(a_, &block, &len, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return stream_.error("read data");
      if (len == 0) continue;
      // libarchive's offsets come from the (possibly sparse) map in the tar: keep them inside
      // the declared size so a hostile sparse map cannot grow a file past max_bytes.
      if (offset < 0 || static_cast<uint64_t>(offset) < end ||
          static_cast<uint64_t>(offset) + len > size)
        return invalid_argument("data block outside the file's declared size");
      end = static_cast<uint64_t>(offset) + len;
      stats_.bytes += len;
      if (direct) {
        HAKO_TRY(write_data_at(job.fd.get(), static_cast<const char*>(block), len,
                               static_cast<uint64_t>(offset)));
      } else {
        job.segments.emplace_back(static_cast<uint64_t>(offset), len);
        job.data.append(static_cast<const char*>(block), len);
      }
    }
    if (direct) {
      job.written = end;
      // Data already written: with no segments, run_file_job only extends the file to its
      // size (a sparse tail) and applies metadata.
      return run_file_job(job, options_);
    }
    return pool_->submit(std::move(job));
  }

  struct archive* a_;
  const ReadStream& stream_;
  LayerTree& tree_;
  FilePool* pool_;
  const ExtractOptions& options_;
  ExtractStats stats_;
  uint64_t total_bytes_ = 0;
};

}  // namespace

Result<ExtractStats> extract_layer(Reader& input, const std::string& dest_dir,
                                   const ExtractOptions& options) {
  HAKO_TRY_ASSIGN(auto stream, ReadStream::open(input, StreamFilters::kLayer, "read layer"));
  HAKO_TRY_ASSIGN(LayerTree tree, LayerTree::open(dest_dir, options));
  unsigned workers =
      options.workers.value_or(std::clamp(std::thread::hardware_concurrency(), 2u, 5u) - 1);
  std::optional<FilePool> pool;
  if (workers > 0) pool.emplace(workers, options);
  Extractor extractor(*stream, tree, pool ? &*pool : nullptr, options);
  Status parsed = extractor.run();
  // Join the workers on every path: they hold fds into dest_dir, which the caller removes
  // on error.
  Status written = pool ? pool->finish() : ok();
  HAKO_TRY(parsed);
  HAKO_TRY(written);
  HAKO_TRY(tree.finish());
  return extractor.stats();
}

}  // namespace hako::archive
