// ContainerStore: the containers table of hako.db — each container's id, unique name, image
// and definition (Docker's create body plus what hako resolved, see Definition below). Names
// are unique by the table's constraint, so two `run --name x` at once cannot both win: the
// loser gets Docker's conflict error. Live state is not here (the shim's state file is).
// Ownership: borrows the Database. One thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "db/database.h"
#include "json/reader.h"

namespace hako::engine {

struct ContainerRecord {
  std::string id;       // 64 hex
  std::string name;     // without Docker's leading "/"
  std::string image;    // the image id, "sha256:…"
  int64_t created = 0;  // unix nanoseconds
  // {"Create": <create body>, "Config": <merged config>, "Path", "Args", "ImageName": as typed,
  //  "Platform", "AutoRemove"...}: what inspect shows and start needs.
  json::Value definition;
};

class ContainerStore {
 public:
  explicit ContainerStore(db::Database& db) : db_(&db) {}

  // kAlreadyExists with Docker's message when the name is taken.
  Status insert(const ContainerRecord& c);
  Result<std::optional<ContainerRecord>> find(const std::string& id);
  // What a user types: a full id, a name (with or without "/"), or a unique id prefix.
  // kNotFound "No such container: x"; an ambiguous prefix is kInvalidArgument.
  Result<ContainerRecord> resolve(std::string_view ref);
  Result<std::vector<ContainerRecord>> list();
  Status remove(const std::string& id);
  Status rename(const std::string& id, const std::string& name);
  Status set_definition(const std::string& id, const json::Value& definition);

 private:
  db::Database* db_;
};

// Docker's container name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading "/" is dropped).
Status validate_name(std::string_view name);
// A random 64-hex id.
std::string new_container_id();
// Docker's style of generated name: adjective_surname (attempt > 0 appends a digit, as
// Docker's retry does).
std::string generate_name(int attempt);

}  // namespace hako::engine
