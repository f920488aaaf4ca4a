#include "cgroup/control_files.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "sys/file.h"

namespace hako::cgroup {

Status ControlFiles::write(std::string_view file, std::string_view value,
                           std::string_view field) const {
  std::string name(file);
  if (!present())
    return Error(ErrorCode::kNotImplemented, std::string(field) + ": the " + controller_ +
                                                 " controller is not available on this host");
  int fd = ::openat(fd_, name.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return Error(ErrorCode::kNotImplemented,
                   std::string(field) + ": this kernel offers no " + name + " in " + path_, ENOENT);
    return Error::from_errno(errno, "open " + path_ + "/" + name).context(field);
  }
  UniqueFd owned(fd);
  // A trailing newline, as `echo` sends: every cgroup file strips it, and a fake file in a test
  // then shows one write per line.
  std::string data(value);
  if (data.empty() || data.back() != '\n') data += '\n';
  ssize_t n;
  do {
    n = ::write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return Error::from_errno(errno, "write \"" + std::string(value) + "\" to " + path_ + "/" + name)
        .context(field);
  if (static_cast<size_t>(n) != data.size())
    return internal_error(std::string(field) + ": short write to " + path_ + "/" + name);
  return ok();
}

Result<std::string> ControlFiles::read(std::string_view file) const {
  std::string name(file);
  if (!present())
    return not_found("the " + controller_ + " controller is not available on this host");
  auto r = sys::read_file_at(fd_, name, 1 << 20);
  if (!r) return std::move(r).error().context(path_);
  return r;
}

bool ControlFiles::has(std::string_view file) const {
  if (!present()) return false;
  return ::faccessat(fd_, std::string(file).c_str(), F_OK, 0) == 0;
}

}  // namespace hako::cgroup
