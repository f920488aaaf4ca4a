#include "sys/file.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>

namespace hako::sys {

Result<UniqueFd> open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return sys_error("open " + path);
  return UniqueFd(fd);
}

Result<std::string> read_fd(int fd, size_t limit) {
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read");
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > limit)
      return Error(ErrorCode::kResourceExhausted,
                   "read: input larger than " + std::to_string(limit) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> read_file_at(int dirfd, const std::string& path, size_t limit) {
  HAKO_TRY_ASSIGN(UniqueFd fd, open_at(dirfd, path, O_RDONLY));
  auto r = read_fd(fd.get(), limit);
  if (!r) return std::move(r).error().context(path);
  return r;
}

Result<std::string> read_file(const std::string& path, size_t limit) {
  return read_file_at(AT_FDCWD, path, limit);
}

Status write_all(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("write " + std::string(what));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return ok();
}

Status write_file_at(int dirfd, const std::string& path, std::string_view data) {
  HAKO_TRY_ASSIGN(UniqueFd fd, open_at(dirfd, path, O_WRONLY | O_TRUNC));
  return write_all(fd.get(), data, path);
}

Status write_file(const std::string& path, std::string_view data) {
  return write_file_at(AT_FDCWD, path, data);
}

static Status write_through_temp(const std::string& path, std::string_view data, mode_t mode,
                                 bool durable) {
  std::string tmp = path + ".tmp";
  HAKO_TRY_ASSIGN(UniqueFd fd, open_path(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode));
  Status s = write_all(fd.get(), data, tmp);
  if (s && durable && ::fsync(fd.get()) != 0) s = sys_error("fsync " + tmp);
  if (s && ::rename(tmp.c_str(), path.c_str()) != 0) s = sys_error("rename " + tmp);
  if (!s) ::unlink(tmp.c_str());
  return s;
}

Status write_file_atomic(const std::string& path, std::string_view data, mode_t mode) {
  return write_through_temp(path, data, mode, true);
}

Status write_file_replace(const std::string& path, std::string_view data, mode_t mode) {
  return write_through_temp(path, data, mode, false);
}

Status make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return ok();
  if (::mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return ok();
  if (errno != ENOENT) return sys_error("mkdir " + path);
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) HAKO_TRY(make_dirs(path.substr(0, slash), mode));
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return sys_error("mkdir " + path);
  return ok();
}

static Status remove_tree_at(int parent, const char* name) {
  if (::unlinkat(parent, name, 0) == 0 || errno == ENOENT) return ok();
  if (errno != EISDIR && errno != EPERM) return sys_error(std::string("unlink ") + name);
  int fd = ::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return sys_error(std::string("open ") + name);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return sys_error(std::string("opendir ") + name);
  }
  Status status;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    Status s = remove_tree_at(::dirfd(dir), e->d_name);
    if (!s && status) status = std::move(s);
  }
  ::closedir(dir);
  if (::unlinkat(parent, name, AT_REMOVEDIR) != 0 && errno != ENOENT && status)
    status = sys_error(std::string("rmdir ") + name);
  return status;
}

Status remove_all(const std::string& path) {
  HAKO_TRY_CTX(remove_tree_at(AT_FDCWD, path.c_str()), "remove " + path);
  return ok();
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<std::vector<std::string>> list_dir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return sys_error("open directory " + path);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return Error::from_errno(err, "read directory " + path);
  return names;
}

}  // namespace hako::sys
