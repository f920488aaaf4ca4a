// Mounts as dockerd 20.10 writes them (volume/mounts/linux_parser.go, daemon/oci_linux.go
// WithMounts): binds are "rbind" (+"ro") + propagation (default rprivate); volumes are binds of
// the volume's directory without propagation; tmpfs get "noexec,nosuid,nodev,rprivate" and the
// user's options, last one winning. User mounts are sorted by depth so a parent is mounted
// before what lies below it, and replace a default mount at the same destination.
#include <sys/random.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/docker_defaults.h"
#include "engine/spec_parts.h"
#include "sys/file.h"

namespace hako::engine::spec {

namespace {

const std::set<std::string> kPropagation = {"shared", "rshared", "slave",
                                            "rslave", "private", "rprivate"};

std::string clean_path(const std::string& p) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    std::string c = p.substr(i, j - i);
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!c.empty() && c != ".") {
      parts.push_back(c);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& c : parts) out += "/" + c;
  return out.empty() ? "/" : out;
}

size_t depth(const std::string& p) { return std::count(p.begin(), p.end(), '/'); }

bool valid_volume_name(const std::string& n) {
  if (n.size() < 2 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  });
}

Result<std::string> random_volume_name() {
  unsigned char bytes[32];
  if (::getrandom(bytes, sizeof bytes, 0) != sizeof bytes) return sys_error("getrandom");
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

json bind_mount(const std::string& src, const std::string& dst, std::vector<std::string> opts) {
  return {{"destination", dst}, {"type", "bind"}, {"source", src}, {"options", std::move(opts)}};
}

// Docker's MergeTmpfsOptions: later options win over earlier ones naming the same flag
// (exec/noexec) or the same data key (size=).
std::vector<std::string> merge_tmpfs_options(const std::vector<std::string>& options) {
  static const std::set<std::string> kFlagPairs = {
      "exec", "suid", "dev", "atime", "diratime", "relatime", "strictatime", "dirsync", "mand"};
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    std::string key = it->substr(0, it->find('='));
    if (key.rfind("no", 0) == 0 && kFlagPairs.count(key.substr(2))) key = key.substr(2);
    if (key == "ro") key = "rw";
    if (*it == "defaults" || !seen.insert(key).second) continue;
    out.insert(out.begin(), *it);
  }
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string tmpfs_size(int64_t size) {
  for (auto [suffix, div] :
       {std::pair{"g", int64_t{1} << 30}, {"m", int64_t{1} << 20}, {"k", int64_t{1} << 10}}) {
    if (size % div == 0) return std::to_string(size / div) + suffix;
  }
  return std::to_string(size);
}

// rprivate unless asked otherwise; but a bind of a directory holding hako's store (say /var/lib
// or /) gets rslave, so that unmounting other containers' root file systems reaches the copy in
// this container and does not keep them busy (moby does the same for its daemon root).
std::string default_propagation(const std::string& asked, const std::string& src,
                                const MountContext& ctx) {
  if (!asked.empty()) return asked;
  const std::string& store = ctx.in.container_dir;
  bool holds_store =
      !store.empty() && (src == "/" || store == src || store.rfind(src + "/", 0) == 0);
  return holds_store ? "rslave" : "rprivate";
}

class Builder {
 public:
  explicit Builder(const MountContext& ctx) : ctx_(ctx) {}

  Status add(json mount, const std::string& field) {
    std::string dst = mount["destination"].get<std::string>();
    if (!targets_.insert(dst).second)
      return invalid_argument(field + ": Duplicate mount point: " + dst);
    user_.push_back(std::move(mount));
    return ok();
  }
  bool covers(const std::string& dst) const { return targets_.count(dst) > 0; }

  Result<json> volume(const std::string& name, const std::string& dst, bool ro,
                      const std::string& field) {
    if (!ctx_.in.volume_source)
      return failed_precondition(field + ": volumes are not available here");
    std::string n = name;
    if (n.empty()) {
      HAKO_TRY_ASSIGN(n, random_volume_name());
    }
    auto src = ctx_.in.volume_source(n, dst);
    if (!src) return std::move(src).error().context(field);
    std::vector<std::string> opts = {"rbind"};
    if (ro) opts.push_back("ro");
    return bind_mount(*src, dst, opts);
  }

  std::vector<json>& user() { return user_; }

 private:
  const MountContext& ctx_;
  std::set<std::string> targets_;
  std::vector<json> user_;
};

Status add_binds(Builder& b, const MountContext& ctx) {
  HAKO_TRY_ASSIGN(auto binds, get_strings(ctx.host_config, "HostConfig", "Binds"));
  for (size_t i = 0; i < binds.size(); ++i) {
    const std::string& raw = binds[i];
    std::string field = "HostConfig.Binds[" + std::to_string(i) + "]";
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
      size_t pos = raw.find(':', start);
      parts.push_back(raw.substr(start, pos == std::string::npos ? pos : pos - start));
      if (pos == std::string::npos) break;
      start = pos + 1;
    }
    if (parts.size() > 3 || raw.empty() ||
        std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); }))
      return invalid_argument(field + ": invalid volume specification: '" + raw + "'");
    std::string src = parts.size() == 1 ? "" : parts[0];
    std::string dst = parts.size() == 1 ? parts[0] : parts[1];
    bool ro = false;
    std::string propagation;
    if (parts.size() == 3) {
      bool rw_seen = false;
      for (const auto& m : split_commas(parts[2])) {
        if (m == "ro" || m == "rw") {
          if (rw_seen) return invalid_argument(field + ": invalid mode: " + parts[2]);
          rw_seen = true;
          ro = m == "ro";
        } else if (kPropagation.count(m)) {
          if (!propagation.empty()) return invalid_argument(field + ": invalid mode: " + parts[2]);
          propagation = m;
        } else if (m != "z" && m != "Z" && m != "nocopy") {
          // z/Z relabel for SELinux (absent here, as dockerd ignores them without it);
          // nocopy is the volume's business.
          return invalid_argument(field + ": invalid mode: " + parts[2]);
        }
      }
    }
    if (dst[0] != '/')
      return invalid_argument(field +
                              ": invalid mount config for type \"volume\": invalid mount "
                              "path: '" +
                              dst + "' mount path must be absolute");
    dst = clean_path(dst);
    if (dst == "/")
      return invalid_argument(field + ": invalid specification: destination can't be '/'");
    if (!src.empty() && src[0] == '/') {
      // -v creates a missing source directory, as dockerd still does for Binds; --mount
      // (HostConfig.Mounts) does not.
      if (!sys::exists(src)) HAKO_TRY_CTX(sys::make_dirs(src, 0755), field);
      std::vector<std::string> opts = {"rbind"};
      if (ro) opts.push_back("ro");
      opts.push_back(default_propagation(propagation, clean_path(src), ctx));
      HAKO_TRY(b.add(bind_mount(clean_path(src), dst, opts), field));
    } else {
      if (!src.empty() && !valid_volume_name(src))
        return invalid_argument(field + ": \"" + src +
                                "\" includes invalid characters for a "
                                "local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are "
                                "allowed. If you intended to pass a host directory, use "
                                "absolute path");
      if (!propagation.empty()) return invalid_argument(field + ": invalid mode: " + parts[2]);
      HAKO_TRY_ASSIGN(json m, b.volume(src, dst, ro, field));
      HAKO_TRY(b.add(std::move(m), field));
    }
  }
  return ok();
}

Status add_mount_objects(Builder& b, const MountContext& ctx) {
  auto it = ctx.host_config.is_object() ? ctx.host_config.find("Mounts") : ctx.host_config.end();
  if (!ctx.host_config.is_object() || it == ctx.host_config.end() || it->is_null()) return ok();
  if (!it->is_array()) return invalid_argument("HostConfig.Mounts: expected array");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& m = (*it)[i];
    std::string field = "HostConfig.Mounts[" + std::to_string(i) + "]";
    if (!m.is_object()) return invalid_argument(field + ": expected object");
    HAKO_TRY_ASSIGN(std::string type, get_string(m, field, "Type"));
    HAKO_TRY_ASSIGN(std::string src, get_string(m, field, "Source"));
    HAKO_TRY_ASSIGN(std::string dst, get_string(m, field, "Target"));
    HAKO_TRY_ASSIGN(bool ro, get_bool(m, field, "ReadOnly"));
    std::string kind = "invalid mount config for type \"" + type + "\": ";
    if (dst.empty())
      return invalid_argument(field + ": " + kind + "field Target must not be empty");
    if (dst[0] != '/')
      return invalid_argument(field + ": " + kind + "invalid mount path: '" + dst +
                              "' mount path must be absolute");
    dst = clean_path(dst);
    if (type == "bind") {
      if (src.empty())
        return invalid_argument(field + ": " + kind + "field Source must not be empty");
      if (src[0] != '/')
        return invalid_argument(field + ": " + kind + "invalid mount path: '" + src +
                                "' mount path must be absolute");
      struct stat st;
      if (::stat(src.c_str(), &st) != 0)
        return invalid_argument(kind + "bind source path does not exist: " + src);
      json bo = m.value("BindOptions", json::object());
      HAKO_TRY_ASSIGN(std::string propagation,
                      get_string(bo, field + ".BindOptions", "Propagation"));
      HAKO_TRY_ASSIGN(bool non_recursive, get_bool(bo, field + ".BindOptions", "NonRecursive"));
      if (!propagation.empty() && !kPropagation.count(propagation))
        return invalid_argument(
            field + ".BindOptions.Propagation: invalid propagation mode: " + propagation);
      std::vector<std::string> opts = {non_recursive ? "bind" : "rbind"};
      if (ro) opts.push_back("ro");
      opts.push_back(default_propagation(propagation, clean_path(src), ctx));
      HAKO_TRY(b.add(bind_mount(clean_path(src), dst, opts), field));
    } else if (type == "volume") {
      if (!src.empty() && !valid_volume_name(src))
        return invalid_argument(field + ".Source: invalid volume name \"" + src + "\"");
      HAKO_TRY_ASSIGN(json vm, b.volume(src, dst, ro, field));
      HAKO_TRY(b.add(std::move(vm), field));
    } else if (type == "tmpfs") {
      if (!src.empty())
        return invalid_argument(field + ": " + kind + "field Source must not be specified");
      json to = m.value("TmpfsOptions", json::object());
      HAKO_TRY_ASSIGN(int64_t size, get_int(to, field + ".TmpfsOptions", "SizeBytes"));
      HAKO_TRY_ASSIGN(int64_t mode, get_int(to, field + ".TmpfsOptions", "Mode"));
      std::vector<std::string> opts = {"noexec", "nosuid", "nodev", "rprivate"};
      if (ro) opts.push_back("ro");
      if (mode) {
        char buf[32];
        snprintf(buf, sizeof buf, "mode=%llo", static_cast<unsigned long long>(mode));
        opts.push_back(buf);
      }
      if (size) opts.push_back("size=" + tmpfs_size(size));
      HAKO_TRY(b.add({{"destination", dst},
                      {"type", "tmpfs"},
                      {"source", "tmpfs"},
                      {"options", merge_tmpfs_options(opts)}},
                     field));
    } else {
      return invalid_argument(field + ".Type: mount type unknown: \"" + type +
                              "\" (bind, volume or tmpfs)");
    }
  }
  return ok();
}

Status add_tmpfs_map(Builder& b, const MountContext& ctx) {
  std::map<std::string, std::string> tmpfs;
  if (ctx.host_config.is_object() && ctx.host_config.contains("Tmpfs")) {
    const json& t = ctx.host_config["Tmpfs"];
    if (!t.is_null() && !t.is_object())
      return invalid_argument("HostConfig.Tmpfs: expected object");
    for (auto& [k, v] : t.items()) {
      if (!v.is_string()) return invalid_argument("HostConfig.Tmpfs." + k + ": expected string");
      tmpfs[k] = v.get<std::string>();
    }
  }
  for (const auto& [dst, options] : tmpfs) {
    std::string field = "HostConfig.Tmpfs." + dst;
    if (dst.empty() || dst[0] != '/')
      return invalid_argument(field + ": invalid mount path: '" + dst +
                              "' mount path must be absolute");
    std::vector<std::string> opts = {"noexec", "nosuid", "nodev", "rprivate"};
    for (auto& o : split_commas(options)) opts.push_back(o);
    HAKO_TRY(b.add({{"destination", clean_path(dst)},
                    {"type", "tmpfs"},
                    {"source", "tmpfs"},
                    {"options", merge_tmpfs_options(opts)}},
                   field));
  }
  return ok();
}

}  // namespace

Result<json> build_mounts(const MountContext& ctx) {
  Builder b(ctx);
  HAKO_TRY(add_binds(b, ctx));
  HAKO_TRY(add_mount_objects(b, ctx));
  HAKO_TRY(add_tmpfs_map(b, ctx));
  // The image's and the request's VOLUMEs that no other mount covers get anonymous volumes.
  if (ctx.config.contains("Volumes") && ctx.config["Volumes"].is_object()) {
    for (auto& [target, _] : ctx.config["Volumes"].items()) {
      if (target.empty() || target[0] != '/')
        return invalid_argument("Volumes." + target + ": mount path must be absolute");
      std::string dst = clean_path(target);
      if (b.covers(dst)) continue;
      HAKO_TRY_ASSIGN(json m, b.volume("", dst, false, "Volumes." + target));
      HAKO_TRY(b.add(std::move(m), "Volumes." + target));
    }
  }
  auto& user = b.user();
  std::stable_sort(user.begin(), user.end(), [](const json& a, const json& c) {
    return depth(a["destination"].get<std::string>()) < depth(c["destination"].get<std::string>());
  });

  json out = json::array();
  DefaultMountOptions dopts;
  dopts.shm_size = ctx.shm_size;
  dopts.sys_writable = ctx.privileged;
  for (auto& m : default_mounts(dopts))
    if (!b.covers(m["destination"].get<std::string>())) out.push_back(std::move(m));
  HAKO_TRY_ASSIGN(bool init, get_bool(ctx.host_config, "HostConfig", "Init"));
  if (init) {
    if (ctx.in.init_path.empty())
      return failed_precondition("HostConfig.Init: no hako-init binary is configured");
    out.push_back(bind_mount(ctx.in.init_path, kInitPathInContainer, {"bind", "ro"}));
  }
  for (auto& m : user) out.push_back(std::move(m));
  std::vector<std::string> net_opts = {"rbind"};
  if (ctx.readonly_rootfs) net_opts.push_back("ro");
  net_opts.push_back("rprivate");
  for (const char* f : {"resolv.conf", "hostname", "hosts"}) {
    std::string dst = std::string("/etc/") + f;
    if (!b.covers(dst)) out.push_back(bind_mount(ctx.in.container_dir + "/" + f, dst, net_opts));
  }
  return out;
}

}  // namespace hako::engine::spec
