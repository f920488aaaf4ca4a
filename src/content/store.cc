#include "content/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <vector>

#include "sys/file.h"

namespace hako::content {

struct StoreDirs {
  UniqueFd blobs;   // <root>/blobs/sha256
  UniqueFd ingest;  // <root>/ingest
};

namespace {

constexpr size_t kCopyBuffer = 1 << 20;

std::string blob_name(const oci::Digest& d) {
  return d.empty() ? std::string("blob being read") : "blob " + d.to_string();
}

Status require_sha256(const oci::Digest& d) {
  if (d.algorithm() != "sha256")
    return not_implemented(blob_name(d) + ": only sha256 blobs can be stored");
  return ok();
}

std::string random_suffix() {
  unsigned char bytes[8] = {};
  // getrandom(2) of 8 bytes does not block or come up short once the pool is initialised;
  // should it fail, the pid and O_EXCL below still keep names unique.
  (void)::getrandom(bytes, sizeof bytes, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 0xf];
  }
  return s;
}

Status fsync_fd(int fd, std::string_view what) {
  if (::fsync(fd) != 0) return sys_error("fsync " + std::string(what));
  return ok();
}

}  // namespace

// ---- Writer ----

Writer::Writer(std::shared_ptr<const StoreDirs> dirs, std::string temp_name, UniqueFd fd,
               oci::Digest expected, std::optional<uint64_t> expected_size)
    : dirs_(std::move(dirs)),
      temp_name_(std::move(temp_name)),
      fd_(std::move(fd)),
      expected_(std::move(expected)),
      expected_size_(expected_size) {}

Writer::Writer(Writer&& o) noexcept
    : dirs_(std::move(o.dirs_)),
      temp_name_(std::move(o.temp_name_)),
      fd_(std::move(o.fd_)),
      expected_(std::move(o.expected_)),
      expected_size_(o.expected_size_),
      max_size_(o.max_size_),
      hash_(std::move(o.hash_)),
      written_(o.written_),
      done_(std::exchange(o.done_, true)) {}

Writer::~Writer() { abort(); }

void Writer::abort() {
  if (done_) return;
  done_ = true;
  ::unlinkat(dirs_->ingest.get(), temp_name_.c_str(), 0);
  fd_.reset();
}

Status Writer::fail(Error e) {
  abort();
  return std::move(e).context(blob_name(expected_));
}

Status Writer::write(std::string_view data) {
  if (done_) return failed_precondition(blob_name(expected_) + ": writer already finished");
  if (expected_size_ && written_ + data.size() > *expected_size_)
    return fail(invalid_argument("size exceeds the expected " + std::to_string(*expected_size_) +
                                 " bytes"));
  if (max_size_ && written_ + data.size() > *max_size_)
    return fail(
        invalid_argument("size exceeds the limit of " + std::to_string(*max_size_) + " bytes"));
  if (auto s = sys::write_all(fd_.get(), data, "ingest/" + temp_name_); !s)
    return fail(std::move(s).error());
  hash_.update(data);
  written_ += data.size();
  return ok();
}

Status Writer::commit() {
  if (done_) return failed_precondition(blob_name(expected_) + ": writer already finished");
  // Verify before anything becomes visible: a wrong blob must never reach blobs/.
  if (expected_size_ && written_ != *expected_size_)
    return fail(invalid_argument("size mismatch: got " + std::to_string(written_) +
                                 " bytes, want " + std::to_string(*expected_size_)));
  oci::Digest got = hash_.finish();
  if (expected_.empty()) expected_ = got;
  if (got != expected_) return fail(invalid_argument("digest mismatch: got " + got.to_string()));
  // Read-only: blobs are immutable, and a stray write through a bind mount or a tool should
  // fail loudly rather than corrupt content silently.
  if (::fchmod(fd_.get(), 0444) != 0) return fail(sys_error("chmod ingest/" + temp_name_));
  // The data must be on disk before the name is: otherwise a crash after the rename could
  // leave a visible blob with missing content (ext4 data=writeback, xfs).
  if (auto s = fsync_fd(fd_.get(), "ingest/" + temp_name_); !s) return fail(std::move(s).error());
  std::string hex(expected_.hex());
  // RENAME_NOREPLACE: if a concurrent writer already committed this blob, keep its file (whose
  // readers may hold it open) and drop ours; the content is the same by digest.
  int r = ::renameat2(dirs_->ingest.get(), temp_name_.c_str(), dirs_->blobs.get(), hex.c_str(),
                      RENAME_NOREPLACE);
  if (r != 0 && errno == EINVAL)  // file system without RENAME_NOREPLACE: plain rename is atomic
    r = ::renameat(dirs_->ingest.get(), temp_name_.c_str(), dirs_->blobs.get(), hex.c_str());
  if (r != 0 && errno != EEXIST) return fail(sys_error("rename ingest/" + temp_name_));
  if (r != 0) {
    abort();  // already present
    return ok();
  }
  done_ = true;
  fd_.reset();
  // The rename itself is durable only once the directory is synced.
  return fsync_fd(dirs_->blobs.get(), "blobs/sha256");
}

// ---- Store ----

Result<Store> Store::open(const std::string& root) {
  HAKO_TRY(sys::make_dirs(root + "/blobs/sha256"));
  HAKO_TRY(sys::make_dirs(root + "/ingest", 0700));
  auto dirs = std::make_shared<StoreDirs>();
  HAKO_TRY_ASSIGN(dirs->blobs, sys::open_path(root + "/blobs/sha256", O_RDONLY | O_DIRECTORY));
  HAKO_TRY_ASSIGN(dirs->ingest, sys::open_path(root + "/ingest", O_RDONLY | O_DIRECTORY));
  return Store(root, std::move(dirs));
}

std::string Store::blob_path(const oci::Digest& d) const {
  return root_ + "/blobs/" + std::string(d.algorithm()) + "/" + std::string(d.hex());
}

namespace {

// A new temp file in ingest/ named "<prefix>.<pid>.<random>", created O_EXCL and flocked.
Result<std::pair<std::string, UniqueFd>> create_ingest_file(int ingest_dir,
                                                            const std::string& prefix) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string name = prefix + "." + std::to_string(::getpid()) + "." + random_suffix();
    int fd = ::openat(ingest_dir, name.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return sys_error("create ingest/" + name);
    UniqueFd owned(fd);
    // The flock marks the file as in use for cleanup_ingest(). Between our create and this
    // flock a cleanup may have taken the lock and unlinked the file; then nlink is 0 and we
    // start over with a new name.
    if (::flock(fd, LOCK_EX) != 0) return sys_error("flock ingest/" + name);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return sys_error("stat ingest/" + name);
    if (st.st_nlink == 0) continue;
    return std::pair(std::move(name), std::move(owned));
  }
  return internal_error("could not create an ingest file");
}

}  // namespace

Result<Writer> Store::begin_ingest(const oci::Digest& expected,
                                   std::optional<uint64_t> expected_size) const {
  HAKO_TRY(require_sha256(expected));
  auto file = create_ingest_file(dirs_->ingest.get(), std::string(expected.hex()));
  if (!file) return std::move(file).error().context(blob_name(expected));
  return Writer(dirs_, std::move(file->first), std::move(file->second), expected, expected_size);
}

Result<Writer> Store::begin_ingest_unknown(uint64_t max_size) const {
  HAKO_TRY_ASSIGN(auto file, create_ingest_file(dirs_->ingest.get(), "unknown"));
  Writer w(dirs_, std::move(file.first), std::move(file.second), oci::Digest(), std::nullopt);
  w.max_size_ = max_size;
  return w;
}

Status Store::ingest_fd(int fd, const oci::Digest& expected,
                        std::optional<uint64_t> expected_size) const {
  if (has(expected)) return ok();
  HAKO_TRY_ASSIGN(Writer w, begin_ingest(expected, expected_size));
  HashingReader in(fd, expected_size);  // bounds the read at expected_size + 1
  std::vector<char> buf(kCopyBuffer);
  while (true) {
    auto n = in.read(buf.data(), buf.size());
    if (!n) return std::move(n).error().context(blob_name(expected));
    if (*n == 0) break;
    HAKO_TRY(w.write(std::string_view(buf.data(), *n)));
  }
  return w.commit();
}

Status Store::ingest_file(const std::string& path, const oci::Digest& expected,
                          std::optional<uint64_t> expected_size) const {
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(path, O_RDONLY));
  return ingest_fd(fd.get(), expected, expected_size);
}

Result<oci::Digest> Store::ingest_bytes(std::string_view data) const {
  oci::Digest d = Sha256::of(data);
  if (has(d)) return d;
  HAKO_TRY_ASSIGN(Writer w, begin_ingest(d, data.size()));
  HAKO_TRY(w.write(data));
  HAKO_TRY(w.commit());
  return d;
}

bool Store::has(const oci::Digest& d) const {
  if (d.algorithm() != "sha256") return false;
  struct stat st {};
  std::string hex(d.hex());
  return ::fstatat(dirs_->blobs.get(), hex.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         S_ISREG(st.st_mode);
}

Result<uint64_t> Store::size(const oci::Digest& d) const {
  HAKO_TRY(require_sha256(d));
  struct stat st {};
  std::string hex(d.hex());
  if (::fstatat(dirs_->blobs.get(), hex.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error("stat " + blob_name(d));
  return static_cast<uint64_t>(st.st_size);
}

Result<UniqueFd> Store::open_blob(const oci::Digest& d) const {
  HAKO_TRY(require_sha256(d));
  int fd =
      ::openat(dirs_->blobs.get(), std::string(d.hex()).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return sys_error("open " + blob_name(d));
  return UniqueFd(fd);
}

Result<std::string> Store::read_blob(const oci::Digest& d, size_t limit) const {
  HAKO_TRY_ASSIGN(UniqueFd fd, open_blob(d));
  auto data = sys::read_fd(fd.get(), limit);
  if (!data) return std::move(data).error().context(blob_name(d));
  oci::Digest got = Sha256::of(*data);
  if (got != d)
    return internal_error(blob_name(d) + ": stored content does not match its digest (got " +
                          got.to_string() + "); the store is damaged: run `hako system check`");
  return data;
}

Status Store::verify_blob(const oci::Digest& d) const {
  HAKO_TRY_ASSIGN(UniqueFd fd, open_blob(d));
  HashingReader in(fd.get());
  auto s = in.verify(d);
  if (!s)
    return internal_error(blob_name(d) +
                          ": stored content does not match its digest: " + s.error().message());
  return ok();
}

Status Store::remove(const oci::Digest& d) const {
  HAKO_TRY(require_sha256(d));
  if (::unlinkat(dirs_->blobs.get(), std::string(d.hex()).c_str(), 0) != 0)
    return sys_error("remove " + blob_name(d));
  return ok();
}

namespace {

// Calls fn(name, d_type) for each entry of a directory fd (dup'ed: closedir closes its own).
template <typename Fn>
Status for_each_entry(int dir_fd, std::string_view what, Fn fn) {
  int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return sys_error("dup " + std::string(what));
  DIR* dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    return sys_error("opendir " + std::string(what));
  }
  ::rewinddir(dir);  // the dup shares the offset of our long-lived fd
  Status result;
  while (true) {
    errno = 0;
    struct dirent* e = ::readdir(dir);
    if (!e) {
      if (errno != 0) result = sys_error("readdir " + std::string(what));
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    fn(name, e->d_type);
  }
  ::closedir(dir);
  return result;
}

}  // namespace

Result<std::vector<oci::Digest>> Store::list() const {
  std::vector<oci::Digest> out;
  HAKO_TRY(for_each_entry(dirs_->blobs.get(), "blobs/sha256", [&](std::string_view name, int) {
    if (auto d = oci::Digest::from_parts("sha256", name)) out.push_back(std::move(*d));
  }));
  std::sort(out.begin(), out.end());
  return out;
}

Result<size_t> Store::cleanup_ingest(std::chrono::seconds older_than) const {
  std::vector<std::string> names;
  HAKO_TRY(for_each_entry(dirs_->ingest.get(), "ingest",
                          [&](std::string_view name, int) { names.emplace_back(name); }));
  size_t removed = 0;
  const int dir = dirs_->ingest.get();
  for (const auto& name : names) {
    int fd = ::openat(dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) continue;  // gone meanwhile, or not a regular file we made
    UniqueFd owned(fd);
    // A live writer holds LOCK_EX for its whole life; the kernel drops it when the writer's
    // process dies, so taking it here proves the ingest was abandoned.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (std::time(nullptr) - st.st_mtime < older_than.count()) continue;
    // Unlink while still holding the lock, so a writer that raced us sees nlink == 0.
    if (::unlinkat(dir, name.c_str(), 0) != 0) {
      if (errno == ENOENT) continue;
      return sys_error("remove ingest/" + name);
    }
    ++removed;
  }
  return removed;
}

}  // namespace hako::content
