#include "engine/containers.h"

#include <sys/random.h>

#include <array>
#include <cctype>

namespace hako::engine {
namespace {

constexpr std::string_view kColumns = "SELECT id, name, image, created, config FROM containers";

Result<ContainerRecord> row(const db::Statement& st) {
  ContainerRecord c;
  c.id = st.column_text(0);
  c.name = st.column_text(1);
  c.image = st.column_text(2);
  c.created = st.column_int(3);
  auto def = json::parse(st.column_text(4), "container " + c.id);
  if (!def) return std::move(def).error().context("hako.db is damaged (run hako system check)");
  c.definition = std::move(*def);
  return c;
}

Result<std::vector<ContainerRecord>> rows(db::Statement& st) {
  std::vector<ContainerRecord> out;
  for (;;) {
    HAKO_TRY_ASSIGN(bool more, st.step());
    if (!more) break;
    HAKO_TRY_ASSIGN(ContainerRecord c, row(st));
    out.push_back(std::move(c));
  }
  return out;
}

std::string strip_slash(std::string_view name) {
  if (!name.empty() && name[0] == '/') name.remove_prefix(1);
  return std::string(name);
}

uint64_t random_u64() {
  uint64_t v = 0;
  // getrandom(2) of 8 bytes does not block or come up short once the pool is initialised.
  (void)::getrandom(&v, sizeof v, 0);
  return v;
}

}  // namespace

Status validate_name(std::string_view name) {
  bool good = name.size() >= 2 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char ch : name)
    good = good &&
           (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-');
  if (!good)
    return invalid_argument("Invalid container name (" + std::string(name) +
                            "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  return ok();
}

std::string new_container_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<unsigned char, 32> bytes{};
  (void)::getrandom(bytes.data(), bytes.size(), 0);
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

std::string generate_name(int attempt) {
  static constexpr std::array<const char*, 48> kAdjectives = {
      "admiring",  "adoring",  "agitated",   "amazing",  "angry",    "awesome",  "blissful",
      "bold",      "brave",    "busy",       "charming", "clever",   "cool",     "compassionate",
      "confident", "dazzling", "determined", "eager",    "ecstatic", "elastic",  "elegant",
      "epic",      "festive",  "focused",    "friendly", "gallant",  "gifted",   "goofy",
      "happy",     "hopeful",  "jolly",      "keen",     "kind",     "laughing", "loving",
      "modest",    "nice",     "optimistic", "peaceful", "quirky",   "relaxed",  "serene",
      "sharp",     "stoic",    "sweet",      "tender",   "vibrant",  "zealous"};
  static constexpr std::array<const char*, 48> kNames = {
      "agnesi",    "albattani", "allen",      "babbage",  "bardeen",  "bartik",   "bell",
      "blackwell", "bohr",      "booth",      "brown",    "cannon",   "carson",   "curie",
      "darwin",    "dijkstra",  "einstein",   "elion",    "euler",    "faraday",  "fermat",
      "feynman",   "franklin",  "galileo",    "gauss",    "goldberg", "hamilton", "hopper",
      "hypatia",   "jackson",   "johnson",    "kepler",   "knuth",    "lamarr",   "leakey",
      "lovelace",  "mayer",     "mcclintock", "meitner",  "newton",   "noether",  "pascal",
      "ritchie",   "shannon",   "tesla",      "thompson", "turing",   "wozniak"};
  uint64_t r = random_u64();
  std::string name = std::string(kAdjectives[r % kAdjectives.size()]) + "_" +
                     kNames[(r / kAdjectives.size()) % kNames.size()];
  if (attempt > 0) name += std::to_string((r >> 32) % 10);
  return name;
}

// Docker's conflict error, naming the container that holds the name.
static Error name_conflict(db::Database& db, const std::string& name) {
  std::string holder = "unknown";
  if (auto q = db.prepare("SELECT id FROM containers WHERE name = ?")) {
    q->bind(1, name);
    auto more = q->step();
    if (more && *more) holder = q->column_text(0);
  }
  return Error(ErrorCode::kAlreadyExists,
               "Conflict. The container name \"/" + name + "\" is already in use by container \"" +
                   holder +
                   "\". You have to remove (or rename) that container to be able to reuse that "
                   "name.");
}

Status ContainerStore::insert(const ContainerRecord& c) {
  HAKO_TRY_ASSIGN(auto st, db_->prepare("INSERT INTO containers(id, name, image, created, config) "
                                        "VALUES (?, ?, ?, ?, ?)"));
  st.bind(1, c.id).bind(2, c.name).bind(3, c.image).bind(4, c.created);
  std::string def = c.definition.dump();
  st.bind(5, def);
  Status s = st.run();
  // The id is random: the conflict is the name's.
  if (!s && s.error().code() == ErrorCode::kAlreadyExists) return name_conflict(*db_, c.name);
  return s;
}

Result<std::optional<ContainerRecord>> ContainerStore::find(const std::string& id) {
  HAKO_TRY_ASSIGN(auto st, db_->prepare(std::string(kColumns) + " WHERE id = ?"));
  st.bind(1, id);
  HAKO_TRY_ASSIGN(auto all, rows(st));
  if (all.empty()) return std::optional<ContainerRecord>();
  return std::optional<ContainerRecord>(std::move(all.front()));
}

Result<ContainerRecord> ContainerStore::resolve(std::string_view ref) {
  std::string name = strip_slash(ref);
  if (name.empty()) return invalid_argument("a container name or id is required");
  // Docker's order: full id, then name, then id prefix.
  HAKO_TRY_ASSIGN(auto st, db_->prepare(std::string(kColumns) +
                                        " WHERE id = ? OR name = ? ORDER BY id = ? DESC"));
  st.bind(1, name).bind(2, name).bind(3, name);
  HAKO_TRY_ASSIGN(auto exact, rows(st));
  if (!exact.empty()) return std::move(exact.front());
  bool hex = std::all_of(name.begin(), name.end(), [](char ch) {
    return std::isxdigit(static_cast<unsigned char>(ch)) &&
           !std::isupper(static_cast<unsigned char>(ch));
  });
  if (hex) {
    HAKO_TRY_ASSIGN(auto pre, db_->prepare(std::string(kColumns) + " WHERE substr(id, 1, ?) = ?"));
    pre.bind(1, static_cast<int64_t>(name.size())).bind(2, name);
    HAKO_TRY_ASSIGN(auto found, rows(pre));
    if (found.size() == 1) return std::move(found.front());
    if (found.size() > 1)
      return invalid_argument("multiple containers found with provided prefix: " + name);
  }
  return not_found("No such container: " + name);
}

Result<std::vector<ContainerRecord>> ContainerStore::list() {
  HAKO_TRY_ASSIGN(auto st, db_->prepare(std::string(kColumns) + " ORDER BY created DESC, id"));
  return rows(st);
}

Status ContainerStore::remove(const std::string& id) {
  HAKO_TRY_ASSIGN(auto st, db_->prepare("DELETE FROM containers WHERE id = ?"));
  st.bind(1, id);
  return st.run();
}

Status ContainerStore::rename(const std::string& id, const std::string& name) {
  HAKO_TRY(validate_name(name));
  HAKO_TRY_ASSIGN(auto st, db_->prepare("UPDATE containers SET name = ? WHERE id = ?"));
  st.bind(1, name).bind(2, id);
  Status s = st.run();
  if (!s && s.error().code() == ErrorCode::kAlreadyExists) return name_conflict(*db_, name);
  return s;
}

Status ContainerStore::set_definition(const std::string& id, const json::Value& definition) {
  HAKO_TRY_ASSIGN(auto st, db_->prepare("UPDATE containers SET config = ? WHERE id = ?"));
  std::string text = definition.dump();
  st.bind(1, text).bind(2, id);
  return st.run();
}

}  // namespace hako::engine
