#include "engine/engine.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/scope_exit.h"
#include "engine/container_events.h"
#include "engine/remapped_rootfs.h"
#include "engine/shim_client.h"
#include "engine/spec_builder.h"
#include "engine/userns_remap.h"
#include "engine/volume_mount.h"
#include "engine/volumes.h"
#include "runtime/lifecycle.h"
#include "runtime/loopback.h"
#include "shim/log_writer.h"
#include "shim/shim_config.h"
#include "shim/state_file.h"
#include "sys/file.h"
#include "sys/mount.h"
#include "sys/process.h"

namespace hako::engine {
namespace {

std::string dir_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The first of the candidates that is an executable file.
std::string first_executable(std::initializer_list<std::string> candidates) {
  for (const auto& c : candidates)
    if (!c.empty() && ::access(c.c_str(), X_OK) == 0) return c;
  return {};
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const json::Value& field(const json::Value& v, const char* key) {
  static const json::Value kNull;
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

int int_or(const json::Value& v, int fallback) {
  return v.is_number_integer() ? v.get<int>() : fallback;
}

// The shim's settings, from the container's definition (Docker's field names).
Result<shim::ShimConfig> shim_config_for(const ContainerRecord& c, const ContainerPaths& p,
                                         const std::string& state, const Executables& exe,
                                         const std::string& root) {
  const json::Value& create = field(c.definition, "Create");
  const json::Value& config = field(c.definition, "Config");
  const json::Value& host = field(create, "HostConfig");
  shim::ShimConfig s;
  s.id = c.id;
  s.bundle = p.dir;
  s.run_dir = p.run_dir;
  s.runtime_root = runtime_root(state);
  s.log_path = p.log();
  s.tty = field(config, "Tty").is_boolean() && field(config, "Tty").get<bool>();
  s.open_stdin = field(config, "OpenStdin").is_boolean() && field(config, "OpenStdin").get<bool>();
  s.stdin_once = field(config, "StdinOnce").is_boolean() && field(config, "StdinOnce").get<bool>();
  const json::Value& rp = field(host, "RestartPolicy");
  if (field(rp, "Name").is_string() && !field(rp, "Name").get<std::string>().empty())
    s.restart.name = field(rp, "Name").get<std::string>();
  s.restart.max_retries = int_or(field(rp, "MaximumRetryCount"), 0);
  const json::Value& stop_signal = field(config, "StopSignal");
  if (stop_signal.is_string() && !stop_signal.get<std::string>().empty()) {
    HAKO_TRY_ASSIGN(s.stop_signal, sys::parse_signal(stop_signal.get<std::string>()));
  }
  s.stop_timeout = int_or(field(config, "StopTimeout"), 10);
  const json::Value& limits = field(c.definition, "LogLimits");
  if (field(limits, "Disabled").is_boolean() && field(limits, "Disabled").get<bool>())
    s.log_path.clear();
  if (field(limits, "MaxSize").is_number_integer())
    s.log_max_size = field(limits, "MaxSize").get<int64_t>();
  s.log_max_files = int_or(field(limits, "MaxFile"), s.log_max_files);
  const json::Value& health = field(config, "Healthcheck");
  if (health.is_object() && field(health, "Test").is_array()) {
    for (const auto& t : field(health, "Test"))
      if (t.is_string()) s.health.test.push_back(t.get<std::string>());
    if (!s.health.test.empty() && s.health.test[0] == "NONE") s.health.test.clear();
    auto ns = [&](const char* k, int64_t& out) {
      if (field(health, k).is_number_integer() && field(health, k).get<int64_t>() > 0)
        out = field(health, k).get<int64_t>();
    };
    ns("Interval", s.health.interval_ns);
    ns("Timeout", s.health.timeout_ns);
    ns("StartPeriod", s.health.start_period_ns);
    s.health.retries =
        int_or(field(health, "Retries"), 0) > 0 ? field(health, "Retries").get<int>() : 3;
  }
  if (field(host, "AutoRemove").is_boolean() && field(host, "AutoRemove").get<bool>())
    s.remove_command = {exe.hako, "--root", root, "--state", state, "rm", "-f", c.id};
  s.root = root;
  s.event_attributes = event_attributes(c);
  for (const auto& m : field(c.definition, "VolumeMounts")) {
    if (!field(m, "Name").is_string() || !field(m, "Destination").is_string()) continue;
    s.volume_mounts.push_back({field(m, "Name").get<std::string>(),
                               field(m, "Destination").get<std::string>(),
                               !field(m, "RW").is_boolean() || field(m, "RW").get<bool>()});
  }
  return s;
}

// Docker's json-file and local drivers are both served by the shim's bounded json-file log;
// "none" keeps no log.
Result<json::Value> log_limits(const json::Value& log_config) {
  const json::Value& type = field(log_config, "Type");
  std::string driver = type.is_string() ? type.get<std::string>() : "";
  if (driver == "none") return json::Value{{"Disabled", true}};
  if (!driver.empty() && driver != "json-file" && driver != "local")
    return invalid_argument("logging driver " + driver +
                            " is not supported: use json-file, local or none");
  std::map<std::string, std::string> opts;
  const json::Value& cfg = field(log_config, "Config");
  if (cfg.is_object())
    for (auto it = cfg.begin(); it != cfg.end(); ++it)
      if (it.value().is_string()) opts[it.key()] = it.value().get<std::string>();
  HAKO_TRY_ASSIGN(shim::LogLimits l, shim::parse_log_opts(opts));
  return json::Value{{"MaxSize", l.max_size}, {"MaxFile", l.max_files}};
}

// The volumes the container uses (container_volumes).
Result<std::vector<std::string>> volume_names(db::Database& db, const std::string& id) {
  HAKO_TRY_ASSIGN(auto st, db.prepare("SELECT volume FROM container_volumes WHERE container = ?"));
  st.bind(1, id);
  std::vector<std::string> names;
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, st.step());
    if (!row) break;
    names.push_back(st.column_text(0));
  }
  return names;
}

// Shares of the container's volumes that are mounts (driver options), mounted if need be.
Result<std::vector<shim::VolumeUse>> use_volumes(db::Database& db, const std::string& root,
                                                 const std::string& id) {
  VolumeStore store(db, root);
  HAKO_TRY_ASSIGN(auto names, volume_names(db, id));
  std::vector<shim::VolumeUse> uses;
  for (const auto& name : names) {
    HAKO_TRY_ASSIGN(auto v, store.find(name));
    if (!v) continue;
    HAKO_TRY_ASSIGN(auto m, parse_volume_mount(v->options));
    if (!m) continue;
    HAKO_TRY_ASSIGN(shim::VolumeUse use, use_volume(name, store.volume_dir(name), *m));
    uses.push_back(std::move(use));
  }
  return uses;
}

// What a killed shim left mounted of the container's volumes, when nobody else uses them.
void unmount_unused_volumes(db::Database& db, const std::string& root,
                            const std::vector<std::string>& names) {
  VolumeStore store(db, root);
  for (const auto& name : names) (void)shim::unmount_unused_volume(store.volume_dir(name));
}
void unmount_unused_volumes(db::Database& db, const std::string& root, const std::string& id) {
  if (auto names = volume_names(db, id)) unmount_unused_volumes(db, root, *names);
}

// chown of the paths to the remapped root, and the container dir's group to its group: the
// container's init, in its user namespace, looks up the rootfs and the bound files through it
// (0710). Above it, --root and its containers/ get o+x (as dockerd makes its root 0701 for
// remapping): no listing, and every container dir is closed to all but its own root.
// Until now --root alone (0700) kept others out of the store: the database (every container's
// definition, its -e values included), blobs and layers are made with ordinary modes. Before
// --root opens for traversal, all in it but containers/ and volumes/ closes to others.
Status close_store_to_others(const std::string& root) {
  HAKO_TRY_ASSIGN(auto names, sys::list_dir(root));
  for (const std::string& name : names) {
    std::string path = root + "/" + name;
    struct stat sb;
    if (::lstat(path.c_str(), &sb) != 0 || S_ISLNK(sb.st_mode)) continue;
    mode_t keep = name == "containers" || name == "volumes" ? (S_IRWXU | S_IRWXG | S_IXOTH)
                                                            : (S_IRWXU | S_IRWXG);
    mode_t mode = sb.st_mode & 07777;
    if ((mode & ~keep & S_IRWXO) && ::chmod(path.c_str(), mode & (keep | 07000)) != 0)
      return sys_error("chmod o-rwx " + path + " before --root opens to the remapped root");
  }
  return ok();
}

Status give_to_remapped_root(const ContainerPaths& p, const archive::IdRemap& r,
                             std::initializer_list<std::string> paths) {
  // The container's root on the host.
  uid_t uid = r.uid_to_host(0);
  gid_t gid = r.gid_to_host(0);
  std::string containers = p.dir.substr(0, p.dir.rfind('/'));
  std::string root = containers.substr(0, containers.rfind('/'));
  HAKO_TRY(close_store_to_others(root));
  for (const std::string& d : {root, containers}) {
    struct stat sb;
    if (::stat(d.c_str(), &sb) != 0) return sys_error("stat " + d);
    if (!(sb.st_mode & S_IXOTH) && ::chmod(d.c_str(), (sb.st_mode & 07777) | S_IXOTH) != 0)
      return sys_error("chmod o+x " + d + " for the remapped root");
  }
  // The directories above --root are the user's: as dockerd does for its root, say which one
  // keeps the remapped root out rather than let the container fail to start.
  for (std::string d = root; d.rfind('/') != std::string::npos && d != "/";) {
    d = d.substr(0, std::max<size_t>(d.rfind('/'), 1));
    struct stat sb;
    if (::stat(d.c_str(), &sb) != 0) return sys_error("stat " + d);
    bool reach = (sb.st_mode & S_IXOTH) || (sb.st_gid == gid && (sb.st_mode & S_IXGRP)) ||
                 (sb.st_uid == uid && (sb.st_mode & S_IXUSR));
    if (!reach)
      return failed_precondition("the remapped root (uid " + std::to_string(uid) +
                                 ") cannot reach --root " + root + " through " + d +
                                 ": allow it with chmod o+x " + d);
  }
  if (::chown(p.dir.c_str(), 0, gid) != 0) return sys_error("chown " + p.dir);
  for (const auto& path : paths)
    if (sys::exists(path) && ::lchown(path.c_str(), uid, gid) != 0)
      return sys_error("chown " + path + " to the container's remapped root");
  return ok();
}

Status give_unowned_to(const std::string& dir, const archive::IdRemap& r) {
  struct stat sb;
  if (::lstat(dir.c_str(), &sb) != 0) return sys_error("stat " + dir);
  if (sb.st_uid != 0 || sb.st_gid != 0) return ok();
  if (::lchown(dir.c_str(), r.uid_to_host(0), r.gid_to_host(0)) != 0)
    return sys_error("chown " + dir + " to the container's remapped root");
  return ok();
}

}  // namespace

Executables find_executables() {
  Executables e;
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) e.hako.assign(buf, static_cast<size_t>(n));
  std::string dir = dir_of(e.hako);
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  e.shim = first_executable({env("HAKO_SHIM"), dir + "/hako-shim", dir + "/../hako-shim/hako-shim",
                             "/usr/libexec/hako/hako-shim", "/usr/local/libexec/hako/hako-shim"});
  e.init = first_executable({env("HAKO_INIT"), dir + "/hako-init", dir + "/../hako-init/hako-init",
                             "/usr/libexec/hako/hako-init", "/usr/local/libexec/hako/hako-init"});
  return e;
}

Result<Engine> Engine::open(std::string root, std::string state, Executables exe) {
  HAKO_TRY_ASSIGN(image::ImageStore images, image::ImageStore::open(root));
  return Engine(std::move(root), std::move(state), std::move(exe), std::move(images));
}

Result<snapshot::MountGuard> Engine::mount_rootfs(const ContainerRecord& c) {
  ContainerPaths p = paths(c.id);
  HAKO_TRY_ASSIGN(auto digest, oci::Digest::parse(c.image));
  HAKO_TRY_ASSIGN(auto rec, images_.resolve(digest.to_string()));
  std::vector<std::string> lowers;
  if (!rec.layers.empty()) {
    HAKO_TRY_ASSIGN(lowers, images_.layers().lower_dirs(rec.layers.back().chain_id));
  } else {
    // FROM scratch with nothing in it: overlay still needs a lower.
    std::string empty = p.dir + "/empty";
    HAKO_TRY(sys::make_dirs(empty, 0755));
    lowers.push_back(empty);
  }
  HAKO_TRY(sys::make_dirs(p.rootfs(), 0755));
  // A --rm container's writes go with it: no sync of the host's file system when it ends.
  const json::Value& auto_remove =
      field(field(field(c.definition, "Create"), "HostConfig"), "AutoRemove");
  bool throwaway = auto_remove.is_boolean() && auto_remove.get<bool>();
  if (auto remap = remap_of_definition(c.definition))
    return mount_remapped_overlay(lowers, *remap, p.upper(), p.work(), p.rootfs(), p.dir,
                                  throwaway);
  return snapshot::mount_overlay(lowers, p.upper(), p.work(), p.rootfs(), throwaway);
}

Result<Created> Engine::create(const json::Value& body, const std::string& wanted_name,
                               bool keep_mounted) {
  const json::Value& image_ref = field(body, "Image");
  if (!image_ref.is_string() || image_ref.get<std::string>().empty())
    return invalid_argument("an image is required");
  HAKO_TRY_ASSIGN(auto rec, images_.resolve(image_ref.get<std::string>()));
  HAKO_TRY_ASSIGN(auto loaded, images_.load(rec));
  HAKO_TRY_ASSIGN(json::Value image_config, json::parse(loaded.config_bytes, "image config"));
  json::Value image_cfg = field(image_config, "config");
  if (!image_cfg.is_object()) image_cfg = json::Value::object();

  ContainerRecord c;
  c.id = new_container_id();
  c.image = rec.id.to_string();
  c.created = now_ns();
  HAKO_TRY_ASSIGN(json::Value merged, merge_config(body, image_cfg));
  c.definition = {{"Create", body}, {"Config", merged}, {"ImageName", image_ref}};
  HAKO_TRY_ASSIGN(c.definition["LogLimits"],
                  log_limits(field(field(body, "HostConfig"), "LogConfig")));
  HAKO_TRY_ASSIGN(std::string remap_setting, configured_userns_remap());
  HAKO_TRY_ASSIGN(std::optional<archive::IdRemap> remap,
                  container_remap(field(body, "HostConfig"), remap_setting));
  if (remap) c.definition["IdRemap"] = remap_to_json(*remap);

  ContainerStore store = containers();
  if (!wanted_name.empty()) {
    HAKO_TRY(validate_name(wanted_name));
    c.name = wanted_name;
    HAKO_TRY(store.insert(c));
  } else {
    // A generated name can collide: try again with another, as Docker does.
    for (int attempt = 0;; ++attempt) {
      c.name = generate_name(attempt);
      Status s = store.insert(c);
      if (s) break;
      if (s.error().code() != ErrorCode::kAlreadyExists || attempt >= 10) return s.error();
    }
  }
  ContainerPaths p = paths(c.id);
  ScopeExit undo([&] {
    (void)store.remove(c.id);
    if (sys::is_mount_point(p.rootfs())) ::umount2(p.rootfs().c_str(), MNT_DETACH);
    (void)sys::remove_all(p.dir);
  });
  HAKO_TRY(sys::make_dirs(p.dir, 0710));
  HAKO_TRY(snapshot::prepare_rw_dirs(p.dir));
  if (remap) HAKO_TRY(give_to_remapped_root(p, *remap, {p.upper(), p.work()}));
  HAKO_TRY_ASSIGN(snapshot::MountGuard rootfs, mount_rootfs(c));

  SpecInputs in{body, image_cfg};
  in.id = c.id;
  in.name = c.name;
  in.rootfs = p.rootfs();
  in.container_dir = p.dir;
  in.init_path = exe_.init;
  in.remap = remap;
  VolumeStore volumes(images_.metadata().database(), root_);
  std::vector<shim::VolumeUse> copy_up_uses;         // released (unmounted if last) at the end
  json::Value volume_mounts = json::Value::array();  // for the shim's mount/unmount events
  in.volume_source = [&](const std::string& name,
                         const std::string& target) -> Result<std::string> {
    // A new volume (or an empty one) is filled from the image's content at its mount point,
    // as Docker does.
    // The spec builder names an anonymous volume with a fresh 64-hex id.
    bool anonymous =
        name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
    json::Value labels = json::Value::object();
    if (anonymous) labels[kAnonymousVolumeLabel] = "";
    HAKO_TRY_ASSIGN(auto existing, volumes.find(name));
    HAKO_TRY_ASSIGN(VolumeRecord v, volumes.create(name, labels, json::Value::object()));
    HAKO_TRY(volumes.attach(c.id, v.name));
    // A volume that is a mount is filled while mounted, as dockerd does at create (a tmpfs
    // loses it again when unmounted; a bind's host directory keeps it).
    HAKO_TRY_ASSIGN(auto mount, parse_volume_mount(v.options));
    if (mount) {
      HAKO_TRY_ASSIGN(shim::VolumeUse use, use_volume(v.name, volumes.volume_dir(v.name), *mount));
      copy_up_uses.push_back(std::move(use));
    }
    HAKO_TRY(volumes.populate(v, p.rootfs(), target));
    // As Docker: a volume made for a remapped container belongs to its root, unless the image's
    // content (seen through the remapped rootfs, so already in host ids) gave it an owner.
    if (remap && !existing) HAKO_TRY(give_unowned_to(v.mountpoint, *remap));
    volume_mounts.push_back({{"Name", v.name}, {"Destination", target}, {"RW", true}});
    return v.mountpoint;
  };
  HAKO_TRY_ASSIGN(json::Value spec, build_spec(in));
  // The files build_spec wrote are bound into the container: its root may write them.
  if (remap) HAKO_TRY(give_to_remapped_root(p, *remap, {p.hosts(), p.hostname(), p.resolv_conf()}));
  if (!volume_mounts.empty()) {
    for (auto& vm : volume_mounts)
      for (const auto& m : field(spec, "mounts"))
        if (field(m, "destination") == vm["Destination"])
          for (const auto& o : field(m, "options"))
            if (o == "ro") vm["RW"] = false;
    c.definition["VolumeMounts"] = std::move(volume_mounts);
    HAKO_TRY(store.set_definition(c.id, c.definition));
  }
  // Docker's --network none still has lo up; the runtime does it for this annotation.
  spec["annotations"][runtime::kLoopbackAnnotation] = "up";
  // A --rm container does not outlive a reboot in any useful way: no fsync on its start path.
  const json::Value& auto_remove = field(field(body, "HostConfig"), "AutoRemove");
  if (auto_remove.is_boolean() && auto_remove.get<bool>()) {
    HAKO_TRY(sys::write_file_replace(p.config_json(), spec.dump(), 0600));
  } else {
    HAKO_TRY(sys::write_file_atomic(p.config_json(), spec.dump(), 0600));
  }

  undo.dismiss();
  record_container_event(root_, c, "create");
  Created out{std::move(c), {}};
  if (keep_mounted) {
    out.rootfs = std::move(rootfs);
  } else {
    HAKO_TRY(rootfs.unmount());
  }
  return out;
}

Result<UniqueFd> Engine::start(const ContainerRecord& c, std::optional<json::Value> first,
                               snapshot::MountGuard rootfs, StartFailure* failure) {
  if (failure) failure->code = 125;
  if (exe_.shim.empty())
    return failed_precondition("hako-shim not found beside hako (set HAKO_SHIM to its path)");
  ContainerPaths p = paths(c.id);
  LiveState live = state_of(c.id);
  if (live.status == "running" || live.status == "paused" || live.status == "restarting")
    return failed_precondition("container " + c.name + " is already running");
  // What a killed shim left: the runtime's record and the mount.
  Logger quiet;
  (void)runtime::delete_container(runtime_root(state_), c.id, true, quiet);
  if (!rootfs.active()) {
    if (sys::is_mount_point(p.rootfs())) ::umount2(p.rootfs().c_str(), MNT_DETACH);
    HAKO_TRY_ASSIGN(rootfs, mount_rootfs(c));
  }
  HAKO_TRY(sys::make_dirs(p.run_dir, 0700));
  ::unlink(p.state_json().c_str());
  HAKO_TRY_ASSIGN(shim::ShimConfig sc, shim_config_for(c, p, state_, exe_, root_));
  // Volumes that are mounts: mounted now, held until the shim holds them itself.
  HAKO_TRY_ASSIGN(std::vector<shim::VolumeUse> volume_uses,
                  use_volumes(images_.metadata().database(), root_, c.id));
  for (const auto& use : volume_uses) sc.volume_dirs.push_back(use.dir());
  shim::Msg type = first ? shim::Msg::kAttach : shim::Msg::kOk;
  HAKO_TRY_ASSIGN(UniqueFd conn, spawn_shim(exe_.shim, p.run_dir, shim::shim_config_json(sc).dump(),
                                            type, first ? first->dump() : std::string("{}")));
  // The shim owns the mount from here: it unmounts it when the container ends for good.
  rootfs.release();
  std::string reply;
  auto answer = shim::recv_msg(conn.get(), &reply);
  if (!answer) {
    auto rec = shim::read_state(p.state_json());
    std::string why = rec && !rec->error.empty() ? rec->error : "the shim exited at once";
    if (rec && failure) failure->code = rec->exit_code ? rec->exit_code : 125;
    return internal_error("start container " + c.name + ": " + why + " (see " + p.shim_log() + ")");
  }
  if (*answer == shim::Msg::kError) {
    auto v = json::parse(reply, "shim error");
    std::string msg = v && v->is_object() ? v->value("message", reply) : reply;
    if (v && v->is_object() && failure) failure->code = v->value("code", 125);
    wait_for_close(conn.get());
    return Error(ErrorCode::kFailedPrecondition, msg);
  }
  return conn;
}

LiveState Engine::state_of(const std::string& id) const {
  ContainerPaths p = paths(id);
  return live_state(p.run_dir, runtime_root(state_), id);
}

Result<UniqueFd> Engine::connect(const std::string& id) const {
  return connect_shim(paths(id).run_dir);
}

Status Engine::cleanup_without_shim(const ContainerRecord& c, int exit_code) {
  ContainerPaths p = paths(c.id);
  Logger quiet;
  (void)runtime::delete_container(runtime_root(state_), c.id, true, quiet);
  if (sys::is_mount_point(p.rootfs())) ::umount2(p.rootfs().c_str(), MNT_DETACH);
  unmount_unused_volumes(images_.metadata().database(), root_, c.id);
  auto rec = shim::read_state(p.state_json());
  shim::ShimState s = rec ? *rec : shim::ShimState{};
  s.status = "exited";
  s.pid = 0;
  s.exit_code = exit_code;
  s.finished_at = shim::rfc3339_nano_now();
  if (!sys::exists(p.run_dir)) return ok();
  return shim::write_state(p.state_json(), s);
}

Status Engine::stop(const ContainerRecord& c, int timeout) {
  LiveState live = state_of(c.id);
  if (live.status != "running" && live.status != "paused" && live.status != "restarting")
    return ok();
  if (live.status == "paused") {
    // A frozen process cannot act on its stop signal.
    (void)runtime::resume_container(runtime_root(state_), c.id);
  }
  record_stop_signal(root_, c, timeout);
  ScopeExit stopped([&] { record_container_event(root_, c, "stop"); });
  if (live.shim_alive) {
    auto conn = connect(c.id);
    if (conn) {
      json::Value req = {{"timeout", timeout}};
      auto r = shim_call(conn->get(), shim::Msg::kStop, req.dump());
      if (r) return ok();
    }
  }
  // No shim: signal the init ourselves, as the shim would.
  pid_t pid = live.record.pid;
  if (!process_alive(pid, live.record.pid_start_time)) return cleanup_without_shim(c, 255);
  const json::Value& config = field(c.definition, "Config");
  int sig = SIGTERM;
  if (field(config, "StopSignal").is_string()) {
    auto parsed = sys::parse_signal(field(config, "StopSignal").get<std::string>());
    if (parsed) sig = *parsed;
  }
  if (timeout < 0) timeout = int_or(field(config, "StopTimeout"), 10);
  ::kill(pid, timeout == 0 ? SIGKILL : sig);
  int grace_ms = static_cast<int>(std::min<int64_t>(timeout, INT_MAX / 1000) * 1000);
  if (!wait_process_gone(pid, live.record.pid_start_time, grace_ms)) ::kill(pid, SIGKILL);
  while (!wait_process_gone(pid, live.record.pid_start_time, 1000)) continue;
  return cleanup_without_shim(c, timeout == 0 ? 137 : 128 + sig);
}

Status Engine::kill(const ContainerRecord& c, int signal) {
  LiveState live = state_of(c.id);
  if (live.status != "running" && live.status != "paused")
    return failed_precondition("Cannot kill container: " + c.name + ": Container " + c.id +
                               " is not running");
  // As dockerd: a frozen process gets its SIGKILL only when thawed, so thaw it after sending.
  ScopeExit thaw([&] {
    if (live.status == "paused" && signal == SIGKILL)
      (void)runtime::resume_container(runtime_root(state_), c.id);
  });
  record_container_event(root_, c, "kill", {{"signal", std::to_string(signal)}});
  if (live.shim_alive) {
    HAKO_TRY_ASSIGN(UniqueFd conn, connect(c.id));
    json::Value req = {{"signal", signal}};
    HAKO_TRY_ASSIGN(auto r, shim_call(conn.get(), shim::Msg::kKill, req.dump()));
    if (r.first == shim::Msg::kError) return failed_precondition(r.second);
    return ok();
  }
  if (::kill(live.record.pid, signal) != 0) return sys_error("kill container " + c.name);
  return ok();
}

Result<int> Engine::wait(const ContainerRecord& c) {
  LiveState live = state_of(c.id);
  if (live.shim_alive) {
    auto conn = connect(c.id);
    if (conn) {
      auto r = shim_call(conn->get(), shim::Msg::kWait, "{}");
      if (r && r->first == shim::Msg::kExit) {
        auto v = json::parse(r->second, "exit");
        if (v && v->is_object()) return v->value("code", 0);
      }
    }
  }
  while (true) {
    live = state_of(c.id);
    if (live.status != "running" && live.status != "paused" && live.status != "restarting")
      return live.record.exit_code;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Status Engine::remove(const ContainerRecord& c, bool force, bool volumes) {
  LiveState live = state_of(c.id);
  bool running = live.status == "running" || live.status == "paused" || live.status == "restarting";
  if (running && !force)
    return failed_precondition("You cannot remove a running container " + c.id +
                               ". Stop the container before attempting removal or force remove");
  if (running) {
    HAKO_TRY(stop(c, 0));
  }
  // A shim may still be finishing (writing its last state, unmounting): let it end first.
  if (LiveState now = state_of(c.id); now.shim_alive)
    (void)wait_process_gone(now.record.shim_pid, now.record.shim_start_time, 2000);
  ContainerPaths p = paths(c.id);
  Logger quiet;
  (void)runtime::delete_container(runtime_root(state_), c.id, true, quiet);
  if (sys::is_mount_point(p.rootfs()) && ::umount2(p.rootfs().c_str(), MNT_DETACH) != 0)
    return sys_error("unmount " + p.rootfs());
  HAKO_TRY_ASSIGN(std::vector<std::string> used, volume_names(images_.metadata().database(), c.id));
  unmount_unused_volumes(images_.metadata().database(), root_, used);
  if (remap_of_definition(c.definition)) remove_idmap_scratch(p.dir);
  HAKO_TRY(containers().remove(c.id));
  record_container_event(root_, c, "destroy");
  HAKO_TRY(sys::remove_all(p.run_dir));
  HAKO_TRY(sys::remove_all(p.dir));
  if (volumes) {
    // -v: the container's anonymous volumes go with it; named ones stay, as in Docker.
    VolumeStore store(images_.metadata().database(), root_);
    for (const auto& name : used) {
      auto v = store.find(name);
      if (v && *v && (*v)->anonymous) {
        Status s = store.remove(name, false);
        (void)s;  // still used by another container: it stays
      }
    }
  }
  return ok();
}

}  // namespace hako::engine
