#include "engine/diff.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>

#include "engine/container_fs.h"
#include "json/reader.h"
#include "oci/digest.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

bool is_whiteout(const struct stat& sb) {
  return S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(0, 0);
}

bool is_opaque(int dirfd) {
  char v[4];
  for (const char* name : {"trusted.overlay.opaque", "user.overlay.opaque"}) {
    ssize_t n = ::fgetxattr(dirfd, name, v, sizeof v);
    if (n == 1 && v[0] == 'y') return true;
  }
  return false;
}

Result<std::vector<std::string>> sorted_names(int dirfd) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open directory");
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return sys_error("read directory");
  }
  std::vector<std::string> names;
  while (dirent* d = ::readdir(dir)) {
    std::string n = d->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

class Walker {
 public:
  Walker(std::vector<UniqueFd> lowers, const std::set<std::string>& hidden)
      : lowers_(std::move(lowers)), hidden_(hidden) {}

  Status walk(int dirfd, const std::string& prefix) {
    HAKO_TRY_ASSIGN(auto names, sorted_names(dirfd));
    for (const std::string& name : names) {
      std::string path = prefix + "/" + name;
      struct stat sb;
      if (::fstatat(dirfd, name.c_str(), &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return sys_error("stat " + path);
      UniqueFd sub;
      if (S_ISDIR(sb.st_mode)) {
        int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return sys_error("open " + path);
        sub = UniqueFd(fd);
      }
      if (!hidden_.count(path)) HAKO_TRY(one(path, sb, sub.get()));
      if (sub) HAKO_TRY(walk(sub.get(), path));
    }
    return ok();
  }

  std::vector<Change> take() { return std::move(changes_); }

 private:
  // What the layers below have at path, following symlinks inside each layer as Docker's
  // os.Stat does: nullopt when absent or deleted by a whiteout of a higher layer.
  std::optional<struct stat> below(const std::string& path) {
    for (const UniqueFd& lower : lowers_) {
      auto fd = open_in_root(lower.get(), path, O_PATH);
      if (!fd) continue;
      struct stat sb;
      if (::fstatat(fd->get(), "", &sb, AT_EMPTY_PATH) != 0) continue;
      if (is_whiteout(sb)) return std::nullopt;
      return sb;
    }
    return std::nullopt;
  }

  Status one(const std::string& path, const struct stat& sb, int dirfd) {
    Change change{'A', path};
    auto lower = below(path);
    if (is_whiteout(sb) || (dirfd >= 0 && is_opaque(dirfd) && lower)) {
      change.kind = 'D';
    } else if (lower) {
      // A directory is in upper/ when something below it changed; unchanged itself, it is
      // listed only as the parent of an added or deleted path.
      if (S_ISDIR(sb.st_mode) && S_ISDIR(lower->st_mode) && sb.st_size == lower->st_size &&
          sb.st_mode == lower->st_mode && sb.st_mtim.tv_sec == lower->st_mtim.tv_sec &&
          sb.st_mtim.tv_nsec == lower->st_mtim.tv_nsec)
        return ok();
      change.kind = 'C';
    }
    if (S_ISDIR(sb.st_mode)) changed_dirs_.insert(path);
    if (change.kind == 'A' || change.kind == 'D') {
      std::string parent = path.substr(0, path.rfind('/'));
      if (!parent.empty() && changed_dirs_.insert(parent).second)
        changes_.push_back(Change{'C', parent});
    }
    changes_.push_back(std::move(change));
    return ok();
  }

  std::vector<UniqueFd> lowers_;
  const std::set<std::string>& hidden_;
  std::set<std::string> changed_dirs_;
  std::vector<Change> changes_;
};

}  // namespace

std::set<std::string> mount_stand_ins(const ContainerPaths& p) {
  std::set<std::string> out;
  auto spec_text = sys::read_file(p.config_json());
  if (!spec_text) return out;
  auto spec = json::parse(*spec_text, "config.json");
  if (!spec || !spec->is_object() || !spec->contains("mounts")) return out;
  const json::Value& mounts = (*spec)["mounts"];
  auto upper = sys::open_path(p.upper(), O_PATH | O_DIRECTORY);
  if (!mounts.is_array() || !upper) return out;
  for (const auto& m : mounts) {
    if (!m.is_object() || !m.contains("destination") || !m["destination"].is_string()) continue;
    std::string dest = m["destination"].get<std::string>();
    while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
    // The runtime makes a missing destination as an empty file or directory.
    auto fd = open_in_root(upper->get(), dest, O_PATH | O_NOFOLLOW);
    if (!fd) continue;
    struct stat sb;
    if (::fstatat(fd->get(), "", &sb, AT_EMPTY_PATH) != 0) continue;
    bool empty = false;
    if (S_ISREG(sb.st_mode)) {
      empty = sb.st_size == 0;
    } else if (S_ISDIR(sb.st_mode)) {
      auto names = sorted_names(fd->get());
      empty = names && names->empty();
    }
    if (empty) out.insert(dest);
  }
  return out;
}

Result<std::vector<Change>> upper_changes(const std::string& upper,
                                          const std::vector<std::string>& lowers,
                                          const std::set<std::string>& hidden) {
  std::vector<UniqueFd> fds;
  for (const std::string& l : lowers) {
    HAKO_TRY_ASSIGN(UniqueFd fd, sys::open_path(l, O_PATH | O_DIRECTORY));
    fds.push_back(std::move(fd));
  }
  HAKO_TRY_ASSIGN(UniqueFd root, sys::open_path(upper, O_RDONLY | O_DIRECTORY));
  Walker w(std::move(fds), hidden);
  HAKO_TRY_CTX(w.walk(root.get(), ""), "read the changes in " + upper);
  // A directory listed only because the runtime made a mount point in it (/etc for
  // /etc/hosts) is not a change of the container's: it goes unless something under it is
  // listed (the walk's order puts that right after it).
  std::set<std::string> ancestors;
  for (const std::string& h : hidden)
    for (size_t i = h.find('/', 1); i != std::string::npos; i = h.find('/', i + 1))
      ancestors.insert(h.substr(0, i));
  std::vector<Change> all = w.take(), out;
  // Parents before children, siblings by name, whatever order the walk met them in.
  std::stable_sort(all.begin(), all.end(),
                   [](const Change& a, const Change& b) { return a.path < b.path; });
  for (size_t i = 0; i < all.size(); ++i) {
    const Change& ch = all[i];
    bool has_child = i + 1 < all.size() && all[i + 1].path.starts_with(ch.path + "/");
    if (ch.kind == 'C' && ancestors.count(ch.path) && !has_child) continue;
    out.push_back(ch);
  }
  return out;
}

Result<std::vector<Change>> container_changes(Engine& eng, const ContainerRecord& c) {
  HAKO_TRY_ASSIGN(auto digest, oci::Digest::parse(c.image));
  HAKO_TRY_ASSIGN(auto rec, eng.images().resolve(digest.to_string()));
  std::vector<std::string> lowers;
  if (!rec.layers.empty()) {
    HAKO_TRY_ASSIGN(lowers, eng.images().layers().lower_dirs(rec.layers.back().chain_id));
  }
  ContainerPaths p = eng.paths(c.id);
  std::set<std::string> hidden = mount_stand_ins(p);
  return upper_changes(p.upper(), lowers, hidden);
}

}  // namespace hako::engine
