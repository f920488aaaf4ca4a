#include "archive/hostile_tar.h"

#include <cstdlib>
#include <cstring>
#include <memory>

namespace hako::archive::testing {
namespace {

la_ssize_t append(struct archive*, void* opaque, const void* buf, size_t n) {
  static_cast<std::string*>(opaque)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

void check(int r, struct archive* a, const char* what) {
  if (r < ARCHIVE_WARN) {
    // Test scaffolding: a broken builder makes every test meaningless, so stop loudly.
    fprintf(stderr, "TarBuilder: %s: %s\n", what, archive_error_string(a));
    abort();
  }
}

struct archive_entry* new_entry(const std::string& name, mode_t type, const Attrs& attrs) {
  struct archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, attrs.perm);
  archive_entry_set_uid(e, attrs.uid);
  archive_entry_set_gid(e, attrs.gid);
  archive_entry_set_mtime(e, attrs.mtime, attrs.mtime_nsec);
  for (const auto& [k, v] : attrs.xattrs)
    archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
  return e;
}

}  // namespace

TarBuilder::TarBuilder(Compression compression) : a_(archive_write_new()) {
  check(archive_write_set_format_pax(a_), a_, "format");
  switch (compression) {
    case Compression::kNone:
      check(archive_write_add_filter_none(a_), a_, "filter");
      break;
    case Compression::kGzip:
      check(archive_write_add_filter_gzip(a_), a_, "gzip");
      break;
    case Compression::kZstd:
      check(archive_write_add_filter_zstd(a_), a_, "zstd");
      break;
  }
  // No padding after the compressed stream: zstd readers take trailing zeros for a frame.
  check(archive_write_set_bytes_in_last_block(a_, 1), a_, "block size");
  check(archive_write_open(a_, &out_, nullptr, append, nullptr), a_, "open");
}

TarBuilder::~TarBuilder() { archive_write_free(a_); }

void TarBuilder::header(struct archive_entry* e) {
  check(archive_write_header(a_, e), a_, "header");
  archive_entry_free(e);
}

TarBuilder& TarBuilder::file(const std::string& name, const std::string& data, Attrs attrs) {
  struct archive_entry* e = new_entry(name, AE_IFREG, attrs);
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  header(e);
  if (!data.empty()) archive_write_data(a_, data.data(), data.size());
  return *this;
}

TarBuilder& TarBuilder::dir(const std::string& name, Attrs attrs) {
  header(new_entry(name, AE_IFDIR, attrs));
  return *this;
}

TarBuilder& TarBuilder::symlink(const std::string& name, const std::string& target) {
  struct archive_entry* e = new_entry(name, AE_IFLNK, {.perm = 0777});
  archive_entry_set_symlink(e, target.c_str());
  header(e);
  return *this;
}

TarBuilder& TarBuilder::hardlink(const std::string& name, const std::string& target) {
  struct archive_entry* e = new_entry(name, AE_IFREG, {});
  archive_entry_set_hardlink(e, target.c_str());
  archive_entry_set_size(e, 0);
  header(e);
  return *this;
}

TarBuilder& TarBuilder::node(const std::string& name, mode_t type, unsigned major, unsigned minor,
                             Attrs attrs) {
  struct archive_entry* e = new_entry(name, type, attrs);
  archive_entry_set_rdevmajor(e, major);
  archive_entry_set_rdevminor(e, minor);
  header(e);
  return *this;
}

TarBuilder& TarBuilder::sparse(const std::string& name, int64_t size,
                               const std::vector<std::pair<int64_t, std::string>>& chunks) {
  struct archive_entry* e = new_entry(name, AE_IFREG, {});
  archive_entry_set_size(e, size);
  for (const auto& [offset, data] : chunks)
    archive_entry_sparse_add_entry(e, offset, static_cast<la_int64_t>(data.size()));
  header(e);
  // The pax writer takes the logical stream and drops the bytes that fall in holes; feeding
  // holes from one zero buffer keeps a 5 GiB file cheap.
  static const std::string zeros(1 << 20, '\0');
  int64_t pos = 0;
  for (const auto& [offset, data] : chunks) {
    while (pos < offset) {
      size_t n = static_cast<size_t>(std::min<int64_t>(offset - pos, zeros.size()));
      archive_write_data(a_, zeros.data(), n);
      pos += static_cast<int64_t>(n);
    }
    archive_write_data(a_, data.data(), data.size());
    pos += static_cast<int64_t>(data.size());
  }
  while (pos < size) {
    size_t n = static_cast<size_t>(std::min<int64_t>(size - pos, zeros.size()));
    archive_write_data(a_, zeros.data(), n);
    pos += static_cast<int64_t>(n);
  }
  return *this;
}

std::string TarBuilder::finish() {
  check(archive_write_close(a_), a_, "close");
  return std::move(out_);
}

}  // namespace hako::archive::testing
