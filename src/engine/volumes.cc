#include "engine/volumes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <regex>
#include <set>

#include "base/scope_exit.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/container_events.h"
#include "engine/paths.h"
#include "engine/tree_copy.h"
#include "engine/volume_mount.h"
#include "json/reader.h"
#include "sys/file.h"
#include "sys/mount.h"

namespace hako::engine {
namespace {

constexpr const char* kColumns = "name, driver, created, labels, options";

Result<std::string> random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  for (size_t got = 0; got < bytes;) {
    ssize_t n = ::getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("getrandom");
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

// Labels and options are string maps; anything else is the caller's mistake.
Status require_string_map(const nlohmann::json& v, std::string_view what) {
  if (v.is_null()) return ok();
  if (!v.is_object()) return invalid_argument(std::string(what) + " must be an object");
  for (const auto& [k, val] : v.items())
    if (!val.is_string())
      return invalid_argument(std::string(what) + " " + k + ": value must be a string");
  return ok();
}

// The local driver's options, checked as moby's volume/local validateOpts does.
Status validate_local_options(const nlohmann::json& opts) {
  if (opts.is_null() || opts.empty()) return ok();
  for (const auto& [k, v] : opts.items()) {
    if (k == "size")
      return not_implemented("quota size requested but no quota support (option \"size\")");
    if (k != "type" && k != "device" && k != "o")
      return invalid_argument("invalid option: \"" + k + "\"");
  }
  // Docker's mandatory pairs: device and type need each other; o needs device.
  static const std::pair<const char*, const char*> kNeeds[] = {
      {"device", "type"}, {"type", "device"}, {"o", "device"}};
  for (const auto& [opt, need] : kNeeds)
    if (opts.contains(opt) && !opts.contains(need))
      return invalid_argument(std::string("missing required option: \"") + need + "\"");
  // What is mounted at use time is checked now, so a bad option fails here, not at a run.
  HAKO_TRY(parse_volume_mount(opts));
  return ok();
}

nlohmann::json string_map(const nlohmann::json& v) {
  return v.is_object() ? v : nlohmann::json::object();
}

Result<VolumeRecord> read_row(const db::Statement& st, const std::string& dir) {
  VolumeRecord v;
  v.name = st.column_text(0);
  v.driver = st.column_text(1);
  v.created = st.column_int(2);
  auto labels = json::parse(st.column_text(3), "volume " + v.name + " labels");
  auto options = json::parse(st.column_text(4), "volume " + v.name + " options");
  if (!labels || !options)
    return internal_error("volume " + v.name + ": hako.db is damaged (run hako system check)");
  v.labels = string_map(*labels);
  v.options = string_map(*options);
  v.mountpoint = dir + "/" + v.name + "/_data";
  v.anonymous = v.labels.contains(kAnonymousVolumeLabel);
  return v;
}

bool label_matches(const nlohmann::json& labels, const std::string& key,
                   const std::optional<std::string>& value) {
  auto it = labels.find(key);
  if (it == labels.end()) return false;
  return !value || (it->is_string() && it->get<std::string>() == *value);
}

std::pair<std::string, std::optional<std::string>> split_label(const std::string& s) {
  auto eq = s.find('=');
  if (eq == std::string::npos) return {s, std::nullopt};
  return {s.substr(0, eq), s.substr(eq + 1)};
}

// std::regex throws on a bad pattern; this is its one call site.
std::optional<std::regex> compile(const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return std::nullopt;
  }
}

Result<bool> parse_bool(const std::string& key, const std::string& value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return invalid_argument("invalid filter '" + key + "=" + value + "': use true or false");
}

// Moves `path` out of the way under a trash name, then deletes it. A path that is already
// gone is fine: a crash or a concurrent remover got there first.
Status discard_dir(const std::string& dir, const std::string& path, const std::string& name) {
  HAKO_TRY_ASSIGN(std::string suffix, random_hex(8));
  std::string trash = dir + "/.trash-" + name + "-" + suffix;
  if (::rename(path.c_str(), trash.c_str()) != 0) {
    if (errno == ENOENT) return ok();
    return sys_error("rename " + path + " to " + trash);
  }
  return sys::remove_all(trash);
}

}  // namespace

bool is_valid_volume_name(const std::string& name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (name.size() < 2 || !word(name[0])) return false;
  for (char c : name)
    if (!word(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

Result<VolumeFilters> VolumeFilters::parse(const std::vector<std::string>& raw, For what) {
  VolumeFilters f;
  for (const auto& item : raw) {
    auto eq = item.find('=');
    if (eq == std::string::npos)
      return invalid_argument("bad format of filter \"" + item + "\" (expected name=value)");
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "label") {
      f.labels.push_back(split_label(value));
    } else if (what == For::kList && key == "dangling") {
      HAKO_TRY_ASSIGN(bool b, parse_bool(key, value));
      f.dangling = b;
    } else if (what == For::kList && key == "name") {
      if (!compile(value))
        return invalid_argument("invalid filter 'name=" + value + "': bad pattern");
      f.names.push_back(value);
    } else if (what == For::kList && key == "driver") {
      f.drivers.push_back(value);
    } else if (what == For::kPrune && key == "label!") {
      f.not_labels.push_back(split_label(value));
    } else if (what == For::kPrune && key == "all") {
      HAKO_TRY_ASSIGN(bool b, parse_bool(key, value));
      f.all = b;
    } else {
      return invalid_argument("invalid filter '" + key + "' (volume " +
                              (what == For::kList ? "ls takes dangling, name, driver, label"
                                                  : "prune takes label, label!, all") +
                              ")");
    }
  }
  return f;
}

bool VolumeFilters::matches(const VolumeRecord& v, bool in_use) const {
  if (dangling && *dangling == in_use) return false;
  if (!names.empty() && std::none_of(names.begin(), names.end(), [&](const std::string& p) {
        auto re = compile(p);
        return re && std::regex_search(v.name, *re);
      }))
    return false;
  if (!drivers.empty() && std::find(drivers.begin(), drivers.end(), v.driver) == drivers.end())
    return false;
  for (const auto& [k, val] : labels)
    if (!label_matches(v.labels, k, val)) return false;
  for (const auto& [k, val] : not_labels)
    if (label_matches(v.labels, k, val)) return false;
  return true;
}

VolumeStore::VolumeStore(db::Database& db, std::string root)
    : db_(db), root_(std::move(root)), dir_(volumes_dir(root_)) {}

std::string VolumeStore::volume_dir(const std::string& name) const { return dir_ + "/" + name; }

Result<std::optional<VolumeRecord>> VolumeStore::find_row(const std::string& name) {
  HAKO_TRY_ASSIGN(auto st,
                  db_.prepare(std::string("SELECT ") + kColumns + " FROM volumes WHERE name = ?"));
  st.bind(1, name);
  HAKO_TRY_ASSIGN(bool row, st.step());
  if (!row) return std::optional<VolumeRecord>();
  HAKO_TRY_ASSIGN(auto v, read_row(st, dir_));
  return std::optional<VolumeRecord>(std::move(v));
}

Result<std::optional<VolumeRecord>> VolumeStore::find(const std::string& name) {
  return find_row(name);
}

Result<VolumeRecord> VolumeStore::get(const std::string& name) {
  HAKO_TRY_ASSIGN(auto v, find_row(name));
  if (!v) return not_found("no such volume: " + name);
  return std::move(*v);
}

Result<std::vector<VolumeRecord>> VolumeStore::list() {
  HAKO_TRY_ASSIGN(auto st,
                  db_.prepare(std::string("SELECT ") + kColumns + " FROM volumes ORDER BY name"));
  std::vector<VolumeRecord> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    HAKO_TRY_ASSIGN(auto v, read_row(st, dir_));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<std::string>> VolumeStore::users(const std::string& name) {
  HAKO_TRY_ASSIGN(auto st, db_.prepare("SELECT container FROM container_volumes WHERE volume = ? "
                                       "ORDER BY container"));
  st.bind(1, name);
  std::vector<std::string> ids;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    ids.push_back(st.column_text(0));
  }
  return ids;
}

Result<VolumeRecord> VolumeStore::create(std::string name, const nlohmann::json& labels,
                                         const nlohmann::json& options, std::string driver) {
  if (driver.empty()) driver = "local";
  nlohmann::json all_labels = string_map(labels);
  if (name.empty()) {
    HAKO_TRY_ASSIGN(name, random_hex(32));
    all_labels[kAnonymousVolumeLabel] = "";
  }
  std::string what = "create " + name;
  if (!is_valid_volume_name(name))
    return invalid_argument(what + ": \"" + name +
                            "\" includes invalid characters for a local volume name, only "
                            "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass "
                            "a host directory, use absolute path");
  if (driver != "local")
    return Error(ErrorCode::kNotFound, what + ": error looking up volume plugin " + driver +
                                           ": plugin \"" + driver + "\" not found");
  HAKO_TRY_CTX(require_string_map(labels, "labels"), what);
  HAKO_TRY_CTX(require_string_map(options, "options"), what);
  HAKO_TRY_CTX(validate_local_options(options), what);

  // The write lock is held from the lookup to the commit: two creators of one name queue,
  // and the second finds the first one's volume.
  HAKO_TRY_ASSIGN(auto tx, db_.begin());
  HAKO_TRY_ASSIGN(auto existing, find_row(name));
  if (existing) {
    if (existing->driver != driver)
      return Error(ErrorCode::kAlreadyExists, what + ": a volume with the name " + name +
                                                  " already exists with driver \"" +
                                                  existing->driver + "\"");
    return std::move(*existing);
  }
  auto v = create_locked(name, all_labels, string_map(options), driver);
  if (!v) return std::move(v).error().context(what);
  auto committed = tx.commit();
  if (!committed) {
    (void)discard_dir(dir_, volume_dir(name), name);
    return std::move(committed).error().context(what);
  }
  return v;
}

Result<VolumeRecord> VolumeStore::create_locked(const std::string& name,
                                                const nlohmann::json& labels,
                                                const nlohmann::json& options,
                                                const std::string& driver) {
  // 0701 as Docker's volumes dir: others may reach a mountpoint they know, not list names.
  HAKO_TRY(sys::make_dirs(dir_, 0701));
  HAKO_TRY_ASSIGN(std::string suffix, random_hex(8));
  std::string tmp = dir_ + "/.tmp-" + name + "-" + suffix;
  std::string final_dir = volume_dir(name);
  if (::mkdir(tmp.c_str(), 0755) != 0) return sys_error("mkdir " + tmp);
  ScopeExit drop_tmp([&] { (void)sys::remove_all(tmp); });
  if (::mkdir((tmp + "/_data").c_str(), 0755) != 0) return sys_error("mkdir " + tmp + "/_data");
  if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) return sys_error("rename " + tmp);
    // A directory without a row: debris of a crash; its volume was never created or is gone.
    HAKO_TRY(discard_dir(dir_, final_dir, name));
    if (::rename(tmp.c_str(), final_dir.c_str()) != 0) return sys_error("rename " + tmp);
  }
  drop_tmp.dismiss();
  ScopeExit drop_dir([&] { (void)discard_dir(dir_, final_dir, name); });

  VolumeRecord v;
  v.name = name;
  v.driver = driver;
  v.created = static_cast<int64_t>(::time(nullptr));
  v.labels = labels;
  v.options = options;
  v.mountpoint = final_dir + "/_data";
  v.anonymous = labels.contains(kAnonymousVolumeLabel);
  HAKO_TRY_ASSIGN(auto st, db_.prepare("INSERT INTO volumes(name, driver, created, labels, "
                                       "options) VALUES (?, ?, ?, ?, ?)"));
  st.bind(1, v.name).bind(2, v.driver).bind(3, v.created).bind(4, v.labels.dump());
  st.bind(5, v.options.dump());
  HAKO_TRY(st.run());
  drop_dir.dismiss();
  record_event(root_, "volume", "create", name, {{"driver", driver}});
  return v;
}

Status VolumeStore::attach(const std::string& container, const std::string& name) {
  HAKO_TRY_ASSIGN(auto tx, db_.begin());
  HAKO_TRY_ASSIGN(auto v, find_row(name));
  if (!v) return not_found("no such volume: " + name);
  HAKO_TRY_ASSIGN(auto c, db_.prepare("SELECT 1 FROM containers WHERE id = ?"));
  c.bind(1, container);
  HAKO_TRY_ASSIGN(bool found, c.step());
  if (!found) return not_found("no such container: " + container);
  HAKO_TRY_ASSIGN(auto st, db_.prepare("INSERT OR IGNORE INTO container_volumes(container, "
                                       "volume) VALUES (?, ?)"));
  st.bind(1, container).bind(2, name);
  HAKO_TRY(st.run());
  return tx.commit();
}

Status VolumeStore::remove(const std::string& name, bool force) {
  {
    HAKO_TRY_ASSIGN(auto tx, db_.begin());
    HAKO_TRY_ASSIGN(auto v, find_row(name));
    if (!v) {
      if (force) return ok();
      return not_found("no such volume: " + name);
    }
    HAKO_TRY_ASSIGN(auto ids, users(name));
    if (!ids.empty())
      return failed_precondition("remove " + name + ": volume is in use - [" + join(ids, " ") +
                                 "]");
    HAKO_TRY_ASSIGN(auto st, db_.prepare("DELETE FROM volumes WHERE name = ?"));
    st.bind(1, name);
    HAKO_TRY(st.run());
    // What a killed shim left mounted goes first: the directory is deleted next.
    HAKO_TRY_CTX(shim::unmount_unused_volume(volume_dir(name)), "remove " + name);
    HAKO_TRY(tx.commit());
  }
  HAKO_TRY_CTX(discard_dir(dir_, volume_dir(name), name), "remove " + name);
  record_event(root_, "volume", "destroy", name, {{"driver", "local"}});
  return ok();
}

Result<VolumePruneReport> VolumeStore::prune(bool all, const VolumeFilters& filters) {
  if (filters.all) all = *filters.all;
  VolumePruneReport report;
  {
    HAKO_TRY_ASSIGN(auto tx, db_.begin());
    clear_debris();
    HAKO_TRY_ASSIGN(auto volumes, list());
    for (const auto& v : volumes) {
      if (!all && !v.anonymous) continue;
      HAKO_TRY_ASSIGN(auto ids, users(v.name));
      if (!ids.empty() || !filters.matches(v, false)) continue;
      if (!shim::unmount_unused_volume(volume_dir(v.name))) continue;  // a user holds it
      auto data = sys::open_path(v.mountpoint, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (data) {
        auto size = tree_size(data->get());
        if (size) report.reclaimed += *size;
      }
      HAKO_TRY_ASSIGN(auto st, db_.prepare("DELETE FROM volumes WHERE name = ?"));
      st.bind(1, v.name);
      HAKO_TRY(st.run());
      report.removed.push_back(v.name);
    }
    HAKO_TRY(tx.commit());
  }
  for (const auto& name : report.removed) {
    HAKO_TRY_CTX(discard_dir(dir_, volume_dir(name), name), "remove " + name);
    record_event(root_, "volume", "destroy", name, {{"driver", "local"}});
  }
  return report;
}

// Called under the write lock, so no create is between its mkdir and its commit: every
// .tmp-* is a crashed creator's, every directory without a row a crashed create's or remove's.
// Best effort: a failure here leaves debris for the next prune, never an error.
void VolumeStore::clear_debris() {
  auto dir = sys::open_path(dir_, O_RDONLY | O_DIRECTORY);
  if (!dir) return;
  auto live = list();
  if (!live) return;
  std::set<std::string> names;
  for (const auto& v : *live) names.insert(v.name);
  DIR* d = ::fdopendir(::openat(dir->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) return;
  std::vector<std::string> debris;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    if (starts_with(n, ".trash-") || starts_with(n, ".tmp-") || !names.count(n))
      debris.push_back(n);
  }
  ::closedir(d);
  for (const auto& n : debris) (void)sys::remove_all(dir_ + "/" + n);
}

Status VolumeStore::populate(const VolumeRecord& v, const std::string& rootfs,
                             const std::string& target) {
  std::string what = "copy " + target + " into volume " + v.name;
  HAKO_TRY_ASSIGN(UniqueFd root, sys::open_path(rootfs, O_PATH | O_DIRECTORY));
  // RESOLVE_IN_ROOT: a symlink at or above target resolves as if rootfs were "/", so an image
  // whose /data -> /etc reaches rootfs/etc, never the host's.
  auto src_path = sys::open_in_root(root.get(), target, O_DIRECTORY);
  if (!src_path) {
    int err = src_path.error().sys_errno();
    if (err == ENOENT || err == ENOTDIR) return ok();  // nothing in the image to copy
    return std::move(src_path).error().context(what);
  }
  HAKO_TRY_ASSIGN(UniqueFd src, sys::open_at(src_path->get(), ".", O_RDONLY | O_DIRECTORY));
  HAKO_TRY_ASSIGN(UniqueFd vol,
                  sys::open_path(volume_dir(v.name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  HAKO_TRY_ASSIGN(UniqueFd data,
                  sys::open_at(vol.get(), "_data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  HAKO_TRY_ASSIGN(bool empty, is_empty_dir(data.get()));
  if (!empty) return ok();  // Docker copies into new volumes only

  if (!v.options.empty()) {
    // A volume with driver options is a mount at use time (tmpfs, a device): _data may be that
    // mount, which cannot be renamed over; its content is lost at unmount anyway.
    HAKO_TRY_CTX(copy_tree(src.get(), data.get()), what);
    HAKO_TRY_CTX(copy_dir_meta(src.get(), data.get()), what);
    return ok();
  }
  // Copy aside, then rename over the empty _data (rename(2) replaces an empty directory
  // atomically): a crash leaves the volume empty, and a racing populate finds it full.
  std::string staging = volume_dir(v.name) + "/_data.populate";
  HAKO_TRY(sys::remove_all(staging));
  if (::mkdirat(vol.get(), "_data.populate", 0700) != 0) return sys_error("mkdir " + staging);
  ScopeExit drop([&] { (void)sys::remove_all(staging); });
  HAKO_TRY_ASSIGN(UniqueFd stage,
                  sys::open_at(vol.get(), "_data.populate", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  HAKO_TRY_CTX(copy_tree(src.get(), stage.get()), what);
  HAKO_TRY_CTX(copy_dir_meta(src.get(), stage.get()), what);
  if (::renameat(vol.get(), "_data.populate", vol.get(), "_data") != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST) return ok();  // filled meanwhile
    return sys_error(what + ": rename " + staging);
  }
  drop.dismiss();
  return ok();
}

}  // namespace hako::engine
