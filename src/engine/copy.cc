#include "engine/copy.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <thread>

#include "archive/extract.h"
#include "archive/tar_writer.h"
#include "base/unique_fd.h"
#include "engine/container_fs.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

// Writes into a socket with MSG_NOSIGNAL: when the extracting side gives up and closes its
// end, the writer gets EPIPE instead of killing the process with SIGPIPE.
class SocketWriter final : public archive::Writer {
 public:
  explicit SocketWriter(int fd) : fd_(fd) {}
  Status write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error("write the copy stream");
      data.remove_prefix(static_cast<size_t>(n));
    }
    return ok();
  }

 private:
  int fd_;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "/etc/." and "." (Docker's specifiesCurrentDir), and the root, which has no name to copy
// it under.
bool copies_contents(const std::string& path) {
  if (path == "." || ends_with(path, "/.")) return true;
  return path.find_first_not_of('/') == std::string::npos;
}

// The path without trailing "/" and "/." components: "/etc/./" → "/etc".
std::string trim(std::string p) {
  for (;;) {
    if (p.size() > 1 && p.back() == '/') {
      p.pop_back();
    } else if (ends_with(p, "/.") && p.size() > 2) {
      p.resize(p.size() - 2);
    } else {
      return p;
    }
  }
}

std::string base_name(const std::string& path) {
  std::string p = trim(path);
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dir_name(const std::string& path) {
  std::string p = trim(path);
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

Result<UniqueFd> open_end(const CopyEnd& e, const std::string& path, bool follow) {
  int flags = O_PATH | (follow ? 0 : O_NOFOLLOW);
  if (e.root_fd >= 0) return open_in_root(e.root_fd, path, flags);
  return sys::open_path(path, flags);
}

Error missing(const CopyEnd& e, const std::string& path) {
  if (e.root_fd >= 0) {
    std::string name = e.display.substr(0, e.display.find(':'));
    return not_found("No such container:path: " + name + ":" + path);
  }
  return not_found("lstat " + path + ": no such file or directory");
}

struct Source {
  UniqueFd fd;
  bool is_dir = false;
  bool contents = false;  // "/.": the directory's contents, not the directory
  std::string name;       // the last component
};

Result<Source> open_source(const CopyEnd& src, const CopyOptions& o) {
  Source s;
  s.contents = copies_contents(src.path);
  bool follow = o.follow_link || s.contents || src.path.back() == '/';
  auto fd = open_end(src, src.path, follow);
  if (!fd) {
    if (fd.error().sys_errno() == ENOENT) return missing(src, src.path);
    return std::move(fd).error().context("copy from " + src.display);
  }
  s.fd = std::move(*fd);
  struct stat sb;
  if (::fstatat(s.fd.get(), "", &sb, AT_EMPTY_PATH) != 0) return sys_error("stat " + src.display);
  s.is_dir = S_ISDIR(sb.st_mode);
  if (s.contents && !s.is_dir)
    return failed_precondition("cannot copy the contents of " + src.display + ": not a directory");
  s.name = base_name(src.path);
  return s;
}

archive::ExtractOptions extract_options(const CopyOptions& o, const CopyEnd& dst) {
  archive::ExtractOptions x;
  x.remap = dst.remap;
  x.workers = 0;
  x.preserve_owners = o.archive;
  x.whiteouts = false;
  x.keep_types = true;
  return x;
}

const archive::IdRemap* ids_of(const CopyEnd& e) { return e.remap ? &*e.remap : nullptr; }

// Streams (src_fd as `name`) into the directory dest_dir.
Status transfer(int src_fd, const std::string& name, int dest_dir, const CopyOptions& o,
                const CopyEnd& src, const CopyEnd& dst) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return sys_error("create the copy stream");
  UniqueFd rd(sv[0]), wr(sv[1]);
  Status written = ok();
  std::thread writer([&] {
    SocketWriter out(wr.get());
    auto st = archive::write_tar_path(src_fd, name, out, ids_of(src));
    if (!st) written = std::move(st).error();
    wr.reset();  // end of stream for the reader
  });
  archive::FdReader in(rd.get());
  auto extracted = archive::extract_layer(in, "/proc/self/fd/" + std::to_string(dest_dir),
                                          extract_options(o, dst));
  rd.reset();  // a writer still writing gets EPIPE and stops
  writer.join();
  if (!extracted) return std::move(extracted).error();
  return written;
}

}  // namespace

// Docker copies to what a symlink at the destination names, as a path (up to 10 links): a
// file then replaces the link's target, not the link. Inside a container the target is
// resolved in its root like any path.
Result<std::string> follow_destination(const CopyEnd& dst) {
  std::string path = dst.path;
  for (int i = 0; i < 10; ++i) {
    auto fd = open_end(dst, path, false);
    if (!fd) return path;
    struct stat sb;
    if (::fstatat(fd->get(), "", &sb, AT_EMPTY_PATH) != 0 || !S_ISLNK(sb.st_mode)) return path;
    char target[PATH_MAX + 1];
    ssize_t n = ::readlinkat(fd->get(), "", target, PATH_MAX);
    if (n <= 0) return sys_error("readlink " + path);
    std::string t(target, static_cast<size_t>(n));
    path = t.starts_with("/") ? t : dir_name(path) + "/" + t;
  }
  return failed_precondition("too many levels of symbolic links at " + dst.display);
}

Status copy_path(const CopyEnd& src, const CopyEnd& given_dst, const CopyOptions& o) {
  HAKO_TRY_ASSIGN(Source s, open_source(src, o));
  CopyEnd dst = given_dst;
  // A trailing "/" asks for a directory: the lookup follows the link by itself then.
  if (dst.path.back() != '/' && !copies_contents(dst.path)) {
    HAKO_TRY_ASSIGN(dst.path, follow_destination(dst));
  }
  auto d = open_end(dst, dst.path, true);
  bool dst_exists = bool(d);
  if (!d && d.error().sys_errno() != ENOENT)
    return std::move(d).error().context("copy to " + dst.display);
  bool dst_is_dir = false;
  if (dst_exists) {
    struct stat sb;
    if (::fstatat(d->get(), "", &sb, AT_EMPTY_PATH) != 0) return sys_error("stat " + dst.display);
    dst_is_dir = S_ISDIR(sb.st_mode);
  }
  bool wants_dir = dst.path.back() == '/' || copies_contents(dst.path);

  UniqueFd dest_dir;
  std::string name;
  if (dst_exists && dst_is_dir) {
    dest_dir = std::move(*d);
    name = s.is_dir && s.contents ? "" : s.name;
  } else {
    if (dst_exists && s.is_dir) return failed_precondition("cannot copy a directory to a file");
    if (dst_exists && wants_dir)
      return failed_precondition("destination " + dst.display + " is not a directory");
    if (!dst_exists && wants_dir && !s.is_dir)
      return not_found("destination directory " + dst.display + " does not exist");
    std::string parent = dir_name(dst.path);
    auto p = open_end(dst, parent, true);
    if (!p) {
      if (p.error().sys_errno() == ENOENT) return missing(dst, parent);
      return std::move(p).error().context("copy to " + dst.display);
    }
    dest_dir = std::move(*p);
    name = base_name(dst.path);
    if (name.empty() || name == "." || name == "..")
      return invalid_argument("invalid destination " + dst.display);
  }
  return transfer(s.fd.get(), name, dest_dir.get(), o, src, dst);
}

Status copy_to_tar(const CopyEnd& src, const CopyOptions& o, archive::Writer& out) {
  HAKO_TRY_ASSIGN(Source s, open_source(src, o));
  std::string name = s.contents ? "." : s.name;
  HAKO_TRY(archive::write_tar_path(s.fd.get(), name, out, ids_of(src)));
  return ok();
}

Status copy_from_tar(archive::Reader& in, const CopyEnd& dst, const CopyOptions& o) {
  auto d = open_end(dst, dst.path, true);
  if (!d && d.error().sys_errno() != ENOENT)
    return std::move(d).error().context("copy to " + dst.display);
  struct stat sb;
  if (d && ::fstatat(d->get(), "", &sb, AT_EMPTY_PATH) != 0)
    return sys_error("stat " + dst.display);
  if (!d || !S_ISDIR(sb.st_mode))
    return failed_precondition("destination \"" + dst.display + "\" must be a directory");
  HAKO_TRY_CTX(archive::extract_layer(in, "/proc/self/fd/" + std::to_string(d->get()),
                                      extract_options(o, dst)),
               "copy to " + dst.display);
  return ok();
}

}  // namespace hako::engine
