#include "image/archive_index.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <optional>

#include "archive/entry_path.h"
#include "archive/read_stream.h"
#include "oci/image_spec.h"

namespace hako::image {
namespace {

// An image archive has a few files per layer; far more entries is not an image archive.
constexpr uint64_t kMaxEntries = 100'000;
constexpr uint64_t kMaxDocumentsBytes = 256ull << 20;
// Bounds one blob: the largest layer anyone ships is a few GiB.
constexpr uint64_t kMaxBlobBytes = 64ull << 30;
constexpr int kMaxLinkHops = 16;

// A tar that is not one says so in libarchive's words; add what hako expected.
Error with_hint(Error e) {
  if (e.code() == ErrorCode::kInvalidArgument)
    e = Error(e.code(), e.message() + " (is it a docker-archive or OCI layout tar?)");
  return e;
}

Error archive_failure(const archive::ReadStream& stream) {
  return with_hint(stream.error("read archive"));
}

bool is_document_name(std::string_view name) {
  auto slash = name.rfind('/');
  std::string_view base = slash == name.npos ? name : name.substr(slash + 1);
  return base == "oci-layout" || base == "repositories" ||
         (base.size() > 5 && base.substr(base.size() - 5) == ".json");
}

// Docker's v1 compatibility files: nothing reads them back.
bool is_ignored_name(std::string_view name) {
  auto slash = name.rfind('/');
  std::string_view base = slash == name.npos ? name : name.substr(slash + 1);
  return base == "VERSION" || base == "json";
}

// "blobs/sha256/<hex>" names its own digest.
std::optional<oci::Digest> digest_from_name(std::string_view name) {
  if (name.substr(0, 6) != "blobs/") return std::nullopt;
  auto rest = name.substr(6);
  auto slash = rest.find('/');
  if (slash == rest.npos) return std::nullopt;
  auto d = oci::Digest::from_parts(rest.substr(0, slash), rest.substr(slash + 1));
  if (!d) return std::nullopt;
  return *d;
}

// A symlink's target, as an entry name: relative to the link's directory.
Result<std::string> link_target(const std::string& link, std::string_view target) {
  std::string joined;
  if (!target.empty() && target[0] == '/') {
    joined = std::string(target);
  } else {
    auto slash = link.rfind('/');
    joined = (slash == link.npos ? std::string() : link.substr(0, slash + 1)) + std::string(target);
  }
  return archive::clean_entry_name(joined);
}

class EntryReader {
 public:
  explicit EntryReader(const archive::ReadStream& stream) : a_(stream.get()), stream_(stream) {}

  Result<std::string> read_all(uint64_t size) {
    std::string out;
    out.resize(size);
    la_ssize_t n = archive_read_data(a_, out.data(), out.size());
    if (n < 0) return archive_failure(stream_);
    out.resize(static_cast<size_t>(n));
    return out;
  }

  Status copy_to(content::Writer& w) {
    for (;;) {
      const void* block = nullptr;
      size_t len = 0;
      la_int64_t offset = 0;
      int r = archive_read_data_block(a_, &block, &len, &offset);
      if (r == ARCHIVE_EOF) return ok();
      if (r != ARCHIVE_OK) return archive_failure(stream_);
      // Sparse entries report holes through the offset; blobs are never sparse in archives
      // hako reads, so a hole is refused rather than silently filled.
      if (static_cast<uint64_t>(offset) != w.written())
        return invalid_argument("read archive: sparse entries are not image blobs");
      HAKO_TRY(w.write(std::string_view(static_cast<const char*>(block), len)));
    }
  }

 private:
  struct archive* a_;
  const archive::ReadStream& stream_;
};

}  // namespace

Result<ArchiveIndex> ArchiveIndex::read(const content::Store& blobs, archive::Reader& input) {
  ArchiveIndex index(blobs);
  auto opened = archive::ReadStream::open(input, archive::StreamFilters::kArchive, "read archive");
  if (!opened) return with_hint(std::move(opened).error());
  std::unique_ptr<archive::ReadStream> stream = std::move(*opened);
  struct archive* a = stream->get();
  EntryReader reader(*stream);
  uint64_t entries = 0, doc_bytes = 0;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return archive_failure(*stream);
    if (++entries > kMaxEntries)
      return invalid_argument("read archive: more than " + std::to_string(kMaxEntries) +
                              " entries; not an image archive");
    const char* raw = archive_entry_pathname(entry);
    auto cleaned = archive::clean_entry_name(raw ? raw : "");
    if (!cleaned)
      return std::move(cleaned).error().context(std::string("read archive: entry \"") +
                                                (raw ? raw : "") + "\"");
    std::string name = std::move(*cleaned);
    if (const char* hard = archive_entry_hardlink(entry)) {
      HAKO_TRY_ASSIGN(index.links_[name], archive::clean_entry_name(hard));
      continue;
    }
    mode_t type = archive_entry_filetype(entry);
    if (type == AE_IFDIR || name.empty()) continue;
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      HAKO_TRY_ASSIGN(index.links_[name], link_target(name, target ? target : ""));
      continue;
    }
    if (type != AE_IFREG)
      return invalid_argument("read archive: entry \"" + name +
                              "\" is not a file, directory or link; not an image archive");
    uint64_t size = static_cast<uint64_t>(archive_entry_size(entry));
    if (is_ignored_name(name)) continue;
    if (auto d = digest_from_name(name)) {
      if (blobs.has(*d)) {
        index.blob_entries_[name] = *d;
        continue;
      }
      HAKO_TRY_ASSIGN(auto w, blobs.begin_ingest(*d, size));
      HAKO_TRY_CTX(reader.copy_to(w), "read archive: " + name);
      HAKO_TRY_CTX(w.commit(), "read archive: " + name);
      index.blob_entries_[name] = *d;
    } else if (is_document_name(name) && size <= oci::kMaxDocumentBytes) {
      doc_bytes += size;
      if (doc_bytes > kMaxDocumentsBytes)
        return invalid_argument("read archive: its JSON documents exceed " +
                                std::to_string(kMaxDocumentsBytes >> 20) + " MiB");
      HAKO_TRY_ASSIGN(index.documents_[name], reader.read_all(size));
    } else {
      HAKO_TRY_ASSIGN(auto w, blobs.begin_ingest_unknown(kMaxBlobBytes));
      HAKO_TRY_CTX(reader.copy_to(w), "read archive: " + name);
      HAKO_TRY_CTX(w.commit(), "read archive: " + name);
      index.blob_entries_[name] = w.expected();
    }
  }
  return index;
}

Result<std::string> ArchiveIndex::follow(const std::string& name) const {
  HAKO_TRY_ASSIGN(std::string cur, archive::clean_entry_name(name));
  for (int hop = 0; hop < kMaxLinkHops; ++hop) {
    auto it = links_.find(cur);
    if (it == links_.end()) return cur;
    cur = it->second;
  }
  return invalid_argument("archive: entry \"" + name + "\": too many levels of links");
}

bool ArchiveIndex::has(const std::string& name) const {
  auto cur = follow(name);
  return cur && (blob_entries_.count(*cur) || documents_.count(*cur));
}

Result<std::string> ArchiveIndex::document(const std::string& name) const {
  HAKO_TRY_ASSIGN(std::string cur, follow(name));
  if (auto it = documents_.find(cur); it != documents_.end()) return it->second;
  if (auto it = blob_entries_.find(cur); it != blob_entries_.end())
    return blobs_->read_blob(it->second, oci::kMaxDocumentBytes);
  return invalid_argument("archive: it names \"" + name + "\", which it does not contain");
}

Result<oci::Digest> ArchiveIndex::blob(const std::string& name) const {
  HAKO_TRY_ASSIGN(std::string cur, follow(name));
  if (auto it = blob_entries_.find(cur); it != blob_entries_.end()) return it->second;
  if (auto it = documents_.find(cur); it != documents_.end())
    return blobs_->ingest_bytes(it->second);
  return invalid_argument("archive: it names \"" + name + "\", which it does not contain");
}

}  // namespace hako::image
