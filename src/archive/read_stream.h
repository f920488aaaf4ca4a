// ReadStream: a libarchive read handle that pulls its bytes from a Reader — the one place
// where libarchive's callback interface meets hako's Reader and Result types.
//
// libarchive only has a string for errors; the Reader's own Error (a network fault, a digest
// mismatch found by a hashing reader) is kept here and returned by error() instead, so it
// reaches the user unchanged. Only tar (ustar, pax, GNU) is read, through the filters asked for;
// nothing that runs an external program. Owns the handle and its buffer; not movable (libarchive
// holds a pointer to it), hence created on the heap. One thread.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "archive/reader.h"
#include "base/result.h"

struct archive;

namespace hako::archive {

enum class StreamFilters {
  kLayer,    // gzip and zstd: what an image layer can be
  kArchive,  // also xz and bzip2: what `docker load` accepts for a whole archive
};

class ReadStream {
 public:
  static Result<std::unique_ptr<ReadStream>> open(Reader& input, StreamFilters filters,
                                                  std::string_view what);
  ReadStream(const ReadStream&) = delete;
  ReadStream& operator=(const ReadStream&) = delete;
  ~ReadStream();

  struct archive* get() const {
    return a_;
  }
  // "<stage>: <the Reader's error or libarchive's message>".
  Error error(std::string_view stage) const;

 private:
  explicit ReadStream(Reader& input);
  static long read_callback(struct archive* a, void* self, const void** out);

  Reader& input_;
  struct archive* a_ = nullptr;
  std::unique_ptr<char[]> buf_;
  std::optional<Error> input_error_;
};

}  // namespace hako::archive
