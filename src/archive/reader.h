// Byte streams the archive code reads layers from and writes tars to.
//
// Reader is the pull side of extract_layer: the image pull path implements it over a network
// stream that is being sha256-hashed as it is read, load over a file, tests over memory.
// Writer is the push side of write_tar. Both are used from one thread at a time; an
// implementation owns whatever it reads from or writes to unless it says otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::archive {

class Reader {
 public:
  virtual ~Reader() = default;
  // Reads up to n bytes into buf; 0 means end of stream. Short reads are fine.
  virtual Result<size_t> read(char* buf, size_t n) = 0;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // Writes all of data or fails.
  virtual Status write(std::string_view data) = 0;
};

// Reads from an fd it does not own (stdin, a blob file the caller keeps open).
class FdReader final : public Reader {
 public:
  explicit FdReader(int fd) : fd_(fd) {}
  Result<size_t> read(char* buf, size_t n) override;

 private:
  int fd_;
};

// Reads from memory it does not own; for tests and small in-memory blobs.
class MemoryReader final : public Reader {
 public:
  explicit MemoryReader(std::string_view data) : data_(data) {}
  Result<size_t> read(char* buf, size_t n) override;

 private:
  std::string_view data_;
};

// Writes to an fd it does not own.
class FdWriter final : public Writer {
 public:
  explicit FdWriter(int fd) : fd_(fd) {}
  Status write(std::string_view data) override;

 private:
  int fd_;
};

// Appends to a string it does not own.
class StringWriter final : public Writer {
 public:
  explicit StringWriter(std::string* out) : out_(out) {}
  Status write(std::string_view data) override {
    out_->append(data);
    return ok();
  }

 private:
  std::string* out_;
};

}  // namespace hako::archive
