#include "archive/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "archive/whiteout.h"
#include "base/unique_fd.h"

namespace hako::archive {
namespace {

struct WriteContext {
  Writer* out;
  std::optional<Error> error;
};

la_ssize_t write_callback(struct archive* a, void* opaque, const void* buf, size_t n) {
  auto* ctx = static_cast<WriteContext*>(opaque);
  auto st = ctx->out->write(std::string_view(static_cast<const char*>(buf), n));
  if (!st) {
    ctx->error = std::move(st).error();
    archive_set_error(a, EIO, "%s", ctx->error->message().c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(n);
}

struct ArchiveWriteFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<struct archive_entry, EntryFree>;

// Reads xattr `name` of an open fd; nullopt when it is absent or unsupported.
std::optional<std::string> get_xattr(int fd, const char* name) {
  char buf[4096];
  ssize_t n = ::fgetxattr(fd, name, buf, sizeof buf);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

class TarWriter {
 public:
  TarWriter(struct archive* a, WriteContext& ctx) : a_(a), ctx_(ctx) {}

  Status write_dir_contents(int dirfd, const std::string& prefix) {
    HAKO_TRY_ASSIGN(std::vector<std::string> names, list_dir(dirfd, prefix));
    for (const std::string& name : names) {
      if (skip_ != nullptr && skip_->count(prefix + name)) continue;
      struct stat sb;
      if (::fstatat(dirfd, name.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return sys_error("stat " + prefix + name);
      HAKO_TRY(write_entry(dirfd, name, prefix + name, sb));
    }
    return ok();
  }

  // (dirfd, name) is the entry, stat'ed as sb; name "" means dirfd itself (an O_PATH fd).
  // path "" with a directory: its contents only, at the top level.
  Status write_entry(int dirfd, const std::string& name, const std::string& path,
                     const struct stat& sb) {
    if (!S_ISDIR(sb.st_mode)) return write_non_dir(dirfd, name, path, sb);
    int fd = ::openat(dirfd, name.empty() ? "." : name.c_str(),
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys_error("open " + (path.empty() ? std::string(".") : path));
    UniqueFd dir(fd);
    if (path.empty()) return write_dir_contents(dir.get(), "");
    EntryPtr e = make_entry(path + "/", sb);
    HAKO_TRY(write_header(e.get(), path));
    auto opaque = get_xattr(dir.get(), opaque_xattr_name(false).c_str());
    if (!opaque) opaque = get_xattr(dir.get(), opaque_xattr_name(true).c_str());
    if (opaque && *opaque == "y")
      HAKO_TRY(write_marker(path + "/" + std::string(kOpaqueMarker), sb));
    return write_dir_contents(dir.get(), path + "/");
  }

  const TarStats& stats() const { return stats_; }
  void set_skip(const std::set<std::string>* skip) { skip_ = skip; }
  void set_ids(const IdRemap* ids) { ids_ = ids; }

 private:
  Result<std::vector<std::string>> list_dir(int dirfd, const std::string& prefix) {
    int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sys_error("open " + (prefix.empty() ? std::string(".") : prefix));
    DIR* dir = ::fdopendir(fd);
    if (dir == nullptr) {
      ::close(fd);
      return sys_error("read " + prefix);
    }
    std::vector<std::string> names;
    while (dirent* d = ::readdir(dir)) {
      std::string name = d->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    // Byte order, independent of locale and of the filesystem's directory order.
    std::sort(names.begin(), names.end());
    return names;
  }

  EntryPtr make_entry(const std::string& path, const struct stat& sb) const {
    EntryPtr e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_mode(e.get(), sb.st_mode);
    archive_entry_set_uid(e.get(), ids_ ? ids_->uid_to_container(sb.st_uid) : sb.st_uid);
    archive_entry_set_gid(e.get(), ids_ ? ids_->gid_to_container(sb.st_gid) : sb.st_gid);
    archive_entry_set_mtime(e.get(), sb.st_mtim.tv_sec, 0);  // whole seconds: reproducible
    return e;
  }

  Status write_header(struct archive_entry* e, const std::string& path) {
    if (archive_write_header(a_, e) < ARCHIVE_WARN) return fail("write header of " + path);
    ++stats_.entries;
    return ok();
  }

  // An empty regular file standing for a whiteout or an opaque marker.
  Status write_marker(const std::string& path, const struct stat& like) {
    struct stat sb = like;
    sb.st_mode = S_IFREG | 0;
    EntryPtr e = make_entry(path, sb);
    archive_entry_set_size(e.get(), 0);
    return write_header(e.get(), path);
  }

  Status write_non_dir(int dirfd, const std::string& name, const std::string& path,
                       const struct stat& sb) {
    if (S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(0, 0)) {
      std::string parent = path.substr(0, path.size() - name.size());
      return write_marker(parent + std::string(kWhiteoutPrefix) + name, sb);
    }
    EntryPtr e = make_entry(path, sb);
    if (S_ISLNK(sb.st_mode)) {
      char target[PATH_MAX + 1];
      // An empty name reads the link an O_PATH|O_NOFOLLOW fd names (readlinkat(2)).
      ssize_t n = ::readlinkat(dirfd, name.c_str(), target, PATH_MAX);
      if (n < 0) return sys_error("readlink " + path);
      target[n] = 0;
      archive_entry_set_symlink(e.get(), target);
      return write_header(e.get(), path);
    }
    if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) || S_ISFIFO(sb.st_mode)) {
      archive_entry_set_rdevmajor(e.get(), major(sb.st_rdev));
      archive_entry_set_rdevminor(e.get(), minor(sb.st_rdev));
      return write_header(e.get(), path);
    }
    if (!S_ISREG(sb.st_mode)) return ok();  // sockets: not part of an image
    if (sb.st_nlink > 1) {
      auto [it, first] = links_.try_emplace({sb.st_dev, sb.st_ino}, path);
      if (!first) {
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        return write_header(e.get(), path);
      }
    }
    // An O_PATH fd is reopened for reading through /proc/self/fd, which names that very inode.
    int fd = name.empty()
                 ? ::open(("/proc/self/fd/" + std::to_string(dirfd)).c_str(), O_RDONLY | O_CLOEXEC)
                 : ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys_error("open " + path);
    UniqueFd file(fd);
    if (auto cap = get_xattr(file.get(), "security.capability"))
      archive_entry_xattr_add_entry(e.get(), "security.capability", cap->data(), cap->size());
    archive_entry_set_size(e.get(), sb.st_size);
    HAKO_TRY(write_header(e.get(), path));
    std::unique_ptr<char[]> buf(new char[256 << 10]);
    int64_t left = sb.st_size;
    while (left > 0) {
      ssize_t n = ::read(file.get(), buf.get(), 256 << 10);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error("read " + path);
      // A file that shrank while being written would corrupt the stream; stop with an error.
      if (n == 0) return failed_precondition("write tar: " + path + " changed while read");
      n = std::min<ssize_t>(n, left);
      if (archive_write_data(a_, buf.get(), static_cast<size_t>(n)) < 0)
        return fail("write data of " + path);
      left -= n;
      stats_.bytes += static_cast<uint64_t>(n);
    }
    return ok();
  }

  Error fail(const std::string& what) {
    if (ctx_.error) return Error(*ctx_.error).context(what);
    const char* msg = archive_error_string(a_);
    return internal_error(what + ": " + (msg ? msg : "unknown error"));
  }

  struct archive* a_;
  WriteContext& ctx_;
  TarStats stats_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
  const std::set<std::string>* skip_ = nullptr;
  const IdRemap* ids_ = nullptr;  // host owners to store as container ids
};

}  // namespace

namespace {

// Runs fn(TarWriter&) on a tar writer over out, then closes the archive.
template <typename Fn>
Result<TarStats> with_tar_writer(Writer& out, const std::string& what, Fn&& fn) {
  std::unique_ptr<struct archive, ArchiveWriteFree> a(archive_write_new());
  WriteContext ctx{&out};
  // pax_restricted: plain ustar headers unless a name, size or xattr needs a pax record.
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_add_filter_none(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open(a.get(), &ctx, nullptr, write_callback, nullptr) != ARCHIVE_OK)
    return internal_error(std::string("set up tar writer: ") + archive_error_string(a.get()));
  TarWriter writer(a.get(), ctx);
  HAKO_TRY_CTX(fn(writer), what);
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    if (ctx.error) return std::move(*ctx.error).context(what);
    return internal_error(what + ": " + archive_error_string(a.get()));
  }
  return writer.stats();
}

}  // namespace

Result<TarStats> write_tar(const std::string& src_dir, Writer& out) {
  return write_tar(src_dir, out, {});
}

Result<TarStats> write_tar(const std::string& src_dir, Writer& out,
                           const std::set<std::string>& skip, const IdRemap* to_container) {
  int fd = ::open(src_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open " + src_dir);
  UniqueFd root(fd);
  return with_tar_writer(out, "write tar of " + src_dir, [&](TarWriter& w) {
    w.set_skip(&skip);
    w.set_ids(to_container);
    return w.write_dir_contents(root.get(), "");
  });
}

Result<TarStats> write_tar_path(int path_fd, const std::string& name, Writer& out,
                                const IdRemap* to_container) {
  struct stat sb;
  if (::fstatat(path_fd, "", &sb, AT_EMPTY_PATH) != 0) return sys_error("stat " + name);
  return with_tar_writer(out, "write tar of " + (name.empty() ? std::string(".") : name),
                         [&](TarWriter& w) {
                           w.set_ids(to_container);
                           return w.write_entry(path_fd, "", name, sb);
                         });
}

}  // namespace hako::archive
