// Database: one SQLite connection to hako.db, in WAL mode, with prepared statements and
// transactions that report errors as hako::Result instead of return codes.
//
// Every change to hako's metadata is a transaction (Transaction, BEGIN IMMEDIATE, so two writers
// queue on the busy timeout instead of failing half-way); readers never block writers (WAL).
// The schema is applied by open(): a list of migrations, numbered by position, recorded in
// `PRAGMA user_version`, each run in its own transaction, so a database created by an older
// hako is brought forward and a crash during a migration leaves the previous version intact.
//
// Ownership: a Database owns its connection (closed in the destructor); a Statement belongs to
// the Database that prepared it and must not outlive it. Thread safety: one Database per thread
// (SQLite's serialized mode is not relied on); several processes may open the same file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hako::db {

class Database;

// A prepared statement. bind_* take 1-based parameter indexes, as SQLite does; column_* take
// 0-based column indexes of the current row.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind_null(int index);
  // An empty optional binds NULL.
  Statement& bind_optional(int index, const std::optional<std::string>& text);

  // Advances to the next row: true when a row is available, false when done.
  Result<bool> step();
  // Runs a statement that returns no rows (or whose rows are not wanted).
  Status run();
  // Ready for new bindings and another run.
  void reset();

  std::string column_text(int col) const;
  int64_t column_int(int col) const;
  bool column_is_null(int col) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  Error bind_error(int index) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  std::optional<Error> bind_failure_;
};

// BEGIN IMMEDIATE … COMMIT; rolled back in the destructor unless commit() succeeded.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();

 private:
  friend class Database;
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

class Database {
 public:
  // Opens (creating if needed) the database at `path`, sets WAL, foreign keys and a busy
  // timeout, and applies `migrations[user_version..]` in order.
  static Result<Database> open(const std::string& path, const std::vector<std::string>& migrations);

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  ~Database();

  Result<Statement> prepare(std::string_view sql);
  // Runs one or more statements that take no parameters.
  Status exec(std::string_view sql);
  Result<Transaction> begin();
  // The rowid of the last INSERT on this connection.
  int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t changes() const;

 private:
  explicit Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status migrate(const std::vector<std::string>& migrations);

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace hako::db
