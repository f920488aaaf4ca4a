#include "db/database.h"

#include <sqlite3.h>

#include <utility>

namespace hako::db {
namespace {

// SQLITE_BUSY after the timeout means another process holds the write lock for that long: a
// hung hako, which the user can find; the message says so.
constexpr int kBusyTimeoutMs = 30'000;

Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  ErrorCode code = ErrorCode::kInternal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = ErrorCode::kUnavailable;
      break;
    case SQLITE_CONSTRAINT:
      code = ErrorCode::kAlreadyExists;
      break;
    case SQLITE_FULL:
      code = ErrorCode::kResourceExhausted;
      break;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      code = ErrorCode::kPermissionDenied;
      break;
    default:
      break;
  }
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if ((rc & 0xff) == SQLITE_BUSY) msg += " (another hako process holds the store's lock)";
  return Error(code, std::move(msg));
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bind_failure_(std::move(other.bind_failure_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
    bind_failure_ = std::move(other.bind_failure_);
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Error Statement::bind_error(int index) const {
  return sqlite_error(db_, sqlite3_errcode(db_), "bind parameter " + std::to_string(index));
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK &&
      !bind_failure_)
    bind_failure_ = bind_error(index);
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK && !bind_failure_)
    bind_failure_ = bind_error(index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK && !bind_failure_)
    bind_failure_ = bind_error(index);
  return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Result<bool> Statement::step() {
  if (bind_failure_) return *bind_failure_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, rc, "sql \"" + sql_.substr(0, 60) + "\"");
}

Status Statement::run() {
  for (;;) {
    HAKO_TRY_ASSIGN(bool row, step());
    if (!row) break;
  }
  reset();
  return ok();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_failure_.reset();
}

std::string Statement::column_text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Status Transaction::commit() {
  Database* db = std::exchange(db_, nullptr);
  if (!db) return internal_error("transaction already finished");
  auto st = db->exec("COMMIT");
  if (!st) (void)db->exec("ROLLBACK");
  return st;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

Result<Database> Database::open(const std::string& path,
                                const std::vector<std::string>& migrations) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      nullptr);
  Database db(raw, path);  // closes `raw` on every path out, opened or not
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "open database " + path);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  // Every hako command is a short process: SQLite would checkpoint the WAL (two fsyncs) and
  // delete it at each close. Leave that to the automatic checkpoint and keep the WAL file, so
  // a container start does not pay for a checkpoint.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  int persist = 1;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  // synchronous=NORMAL in WAL: a commit survives a process crash; only a power loss can lose
  // the last transactions, never corrupt the file. hako fsyncs blobs and layers itself before
  // it records them.
  // The checkpoint comes every 128 pages, not SQLite's 1000: with no other connection open, each
  // command's first read rebuilds the WAL index from every frame in the WAL, and a `hako run`
  // writes about 16 pages, so a long WAL made every command read up to 4 MiB.
  auto st = db.exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
      "PRAGMA wal_autocheckpoint=128;");
  if (!st) return std::move(st).error().context("open database " + path);
  HAKO_TRY_CTX(db.migrate(migrations), "migrate database " + path);
  return db;
}

Status Database::migrate(const std::vector<std::string>& migrations) {
  HAKO_TRY_ASSIGN(auto version_stmt, prepare("PRAGMA user_version"));
  HAKO_TRY_ASSIGN(bool has_row, version_stmt.step());
  int64_t version = has_row ? version_stmt.column_int(0) : 0;
  if (version > static_cast<int64_t>(migrations.size()))
    return failed_precondition("schema version " + std::to_string(version) +
                               " is newer than this hako knows (" +
                               std::to_string(migrations.size()) + "); upgrade hako");
  for (size_t i = static_cast<size_t>(version); i < migrations.size(); ++i) {
    HAKO_TRY_ASSIGN(auto tx, begin());
    // Another process may have migrated between our read and our write lock.
    HAKO_TRY_ASSIGN(auto again, prepare("PRAGMA user_version"));
    HAKO_TRY_ASSIGN(bool row, again.step());
    if (row && again.column_int(0) > static_cast<int64_t>(i)) continue;
    HAKO_TRY_CTX(exec(migrations[i]), "migration " + std::to_string(i + 1));
    HAKO_TRY(exec("PRAGMA user_version=" + std::to_string(i + 1)));
    HAKO_TRY(tx.commit());
  }
  return ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK)
    return sqlite_error(db_, rc, "prepare \"" + std::string(sql.substr(0, 60)) + "\"");
  return Statement(db_, stmt, std::string(sql));
}

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "sql \"" + text.substr(0, 60) + "\"");
  return ok();
}

Result<Transaction> Database::begin() {
  HAKO_TRY(exec("BEGIN IMMEDIATE"));
  return Transaction(this);
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int64_t Database::changes() const { return sqlite3_changes64(db_); }

}  // namespace hako::db
