#include "archive/reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sys/file.h"

namespace hako::archive {

Result<size_t> FdReader::read(char* buf, size_t n) {
  for (;;) {
    ssize_t got = ::read(fd_, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return sys_error("read layer stream");
  }
}

Result<size_t> MemoryReader::read(char* buf, size_t n) {
  size_t take = std::min(n, data_.size());
  std::memcpy(buf, data_.data(), take);
  data_.remove_prefix(take);
  return take;
}

Status FdWriter::write(std::string_view data) { return sys::write_all(fd_, data, "tar stream"); }

}  // namespace hako::archive
