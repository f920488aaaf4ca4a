#include "archive/read_stream.h"

#include <archive.h>

#include <cctype>
#include <string>

namespace hako::archive {
namespace {

constexpr size_t kReadBlock = 1 << 20;

}  // namespace

ReadStream::ReadStream(Reader& input) : input_(input), buf_(new char[kReadBlock]) {}

ReadStream::~ReadStream() {
  if (a_) archive_read_free(a_);
}

long ReadStream::read_callback(struct archive* a, void* opaque, const void** out) {
  auto* self = static_cast<ReadStream*>(opaque);
  auto n = self->input_.read(self->buf_.get(), kReadBlock);
  if (!n) {
    self->input_error_ = std::move(n).error();
    archive_set_error(a, EIO, "%s", self->input_error_->message().c_str());
    return -1;
  }
  *out = self->buf_.get();
  return static_cast<long>(*n);
}

Result<std::unique_ptr<ReadStream>> ReadStream::open(Reader& input, StreamFilters filters,
                                                     std::string_view what) {
  std::unique_ptr<ReadStream> s(new ReadStream(input));
  s->a_ = archive_read_new();
  if (!s->a_) return internal_error("archive_read_new failed");
  bool ok = archive_read_support_filter_gzip(s->a_) == ARCHIVE_OK &&
            archive_read_support_filter_zstd(s->a_) == ARCHIVE_OK &&
            archive_read_support_format_tar(s->a_) == ARCHIVE_OK &&
            archive_read_support_format_empty(s->a_) == ARCHIVE_OK;
  if (ok && filters == StreamFilters::kArchive)
    ok = archive_read_support_filter_xz(s->a_) == ARCHIVE_OK &&
         archive_read_support_filter_bzip2(s->a_) == ARCHIVE_OK;
  if (!ok)
    return internal_error(std::string("libarchive lacks a needed reader: ") +
                          archive_error_string(s->a_));
  if (archive_read_open(s->a_, s.get(), nullptr, &ReadStream::read_callback, nullptr) != ARCHIVE_OK)
    return s->error(what);
  return s;
}

Error ReadStream::error(std::string_view stage) const {
  if (input_error_) return Error(*input_error_).context(stage);
  const char* msg = archive_error_string(a_);
  std::string text = msg ? msg : "unknown error";
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return Error(ErrorCode::kInvalidArgument, std::string(stage) + ": " + text);
}

}  // namespace hako::archive
