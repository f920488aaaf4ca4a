// VolumeStore: named volumes, Docker's `local` driver. A volume is a row of hako.db's volumes
// table plus its directory <root>/volumes/<name>/_data; container_volumes says which
// containers use it (a use refuses removal, as in Docker).
//
// Crash safety: create makes the directory under a temporary name (<volumes>/.tmp-*), renames
// it into place and inserts the row, all inside one write transaction, so concurrent creators
// of one name queue on the database lock and exactly one makes it. remove deletes the row
// first, then renames the directory to <volumes>/.trash-* and deletes that. A directory
// without a row is debris of a crash (create, before its commit; remove, after it): create
// replaces it and prune clears it. populate copies into <name>/_data.populate and renames that
// over the empty _data, so a crash mid-copy leaves the volume empty, never half-filled.
//
// Anonymous volumes (created with an empty name) get a random 64-hex name and Docker's label
// com.docker.volume.anonymous="". Options of the local driver (type, device, o: Docker's
// `-o type=tmpfs -o device=tmpfs -o o=size=100m`) are validated and recorded here; a
// container's start mounts them and its shim unmounts them after the last user
// (engine/volume_mount.h, shim/volume_use.h); remove and prune unmount what a killed shim left.
//
// Ownership: a VolumeStore borrows the Database (image::Metadata::database()), which must
// outlive it. Thread safety: as the Database, one thread; several processes may share a root.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "db/database.h"

namespace hako::engine {

inline constexpr const char* kAnonymousVolumeLabel = "com.docker.volume.anonymous";

struct VolumeRecord {
  std::string name;
  std::string driver;                                 // "local"
  std::string mountpoint;                             // <root>/volumes/<name>/_data
  int64_t created = 0;                                // Unix seconds
  nlohmann::json labels = nlohmann::json::object();   // {"k": "v"}
  nlohmann::json options = nlohmann::json::object();  // {"type": "tmpfs", ...}
  bool anonymous = false;                             // labels has kAnonymousVolumeLabel
};

// Docker's volume filters. `volume ls` takes dangling, name, driver, label; `volume prune`
// takes label, label! and all.
struct VolumeFilters {
  std::optional<bool> dangling;      // true: no container uses it
  std::vector<std::string> names;    // regular expressions searched in the name (Docker's Match)
  std::vector<std::string> drivers;  // exact
  std::vector<std::pair<std::string, std::optional<std::string>>> labels;      // all must match
  std::vector<std::pair<std::string, std::optional<std::string>>> not_labels;  // none may
  std::optional<bool> all;  // prune's all=true, as -a

  enum class For { kList, kPrune };
  // "key=value" items as the user typed them; unknown keys and bad values are errors.
  static Result<VolumeFilters> parse(const std::vector<std::string>& raw, For what);
  bool matches(const VolumeRecord& v, bool in_use) const;
};

struct VolumePruneReport {
  std::vector<std::string> removed;  // names, in order
  uint64_t reclaimed = 0;            // bytes, Docker's du of each _data
};

// Docker's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters).
bool is_valid_volume_name(const std::string& name);

class VolumeStore {
 public:
  VolumeStore(db::Database& db, std::string root);

  // An existing volume of that name is returned as it is (Docker is idempotent), unless it has
  // another driver. Drivers other than local are refused (no plugins).
  Result<VolumeRecord> create(std::string name, const nlohmann::json& labels,
                              const nlohmann::json& options, std::string driver = "local");
  Result<std::optional<VolumeRecord>> find(const std::string& name);
  // As find, with Docker's error "no such volume: NAME" when absent.
  Result<VolumeRecord> get(const std::string& name);
  // Sorted by name.
  Result<std::vector<VolumeRecord>> list();
  // Ids of the containers using the volume, sorted.
  Result<std::vector<std::string>> users(const std::string& name);
  // Records that the container uses the volume (both rows must exist); idempotent.
  Status attach(const std::string& container, const std::string& name);
  // Refused while a container uses it, even with force (Docker: "remove NAME: volume is in
  // use - [ids]"); force makes a missing volume a success.
  Status remove(const std::string& name, bool force);
  // Unused volumes: only anonymous ones unless `all` (or the filter all=true), as Docker 23+.
  Result<VolumePruneReport> prune(bool all, const VolumeFilters& filters = {});
  // Docker's copy-up: when the volume's _data is empty and `target` (a path inside rootfs,
  // resolved with openat2 RESOLVE_IN_ROOT, so a symlink cannot lead out of rootfs) is a
  // directory, its contents are copied in (engine/tree_copy.h) and _data takes its owner,
  // mode and times. A missing target or one that is not a directory copies nothing.
  Status populate(const VolumeRecord& v, const std::string& rootfs, const std::string& target);

  std::string volume_dir(const std::string& name) const;  // <root>/volumes/<name>

 private:
  Result<std::optional<VolumeRecord>> find_row(const std::string& name);
  Result<VolumeRecord> create_locked(const std::string& name, const nlohmann::json& labels,
                                     const nlohmann::json& options, const std::string& driver);
  void clear_debris();

  db::Database& db_;
  std::string root_;
  std::string dir_;  // <root>/volumes
};

}  // namespace hako::engine
