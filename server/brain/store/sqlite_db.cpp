#include "brain/store/sqlite_db.h"

#include <sqlite3.h>

#include <filesystem>

namespace zcache::brain {
namespace {

// SQLite says only "unable to open database file"; say why when the file system can tell.
std::string open_hint(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return " (it is a directory)";
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent, ec)) return " (directory '" + parent.string() + "' does not exist)";
  return "";
}

StoreError::Kind kind_for(int rc) {
  switch (rc & 0xFF) {  // primary result code
    case SQLITE_CANTOPEN: return StoreError::Kind::CannotOpen;
    case SQLITE_PERM:
    case SQLITE_READONLY: return StoreError::Kind::ReadOnly;
    case SQLITE_NOTADB: return StoreError::Kind::NotSqlite;
    case SQLITE_CORRUPT: return StoreError::Kind::Corrupt;
    default: return StoreError::Kind::Sqlite;
  }
}

}  // namespace

// ---- Query ----

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) db_->fail(rc, "bind");
  return *this;
}

Query& Query::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies the text, so the caller's buffer may go away before step().
  if (int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      rc != SQLITE_OK) {
    db_->fail(rc, "bind");
  }
  return *this;
}

Query& Query::bind_null(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) db_->fail(rc, "bind");
  return *this;
}

bool Query::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, sqlite3_sql(stmt_));
}

void Query::run() {
  while (step()) {
  }
}

std::int64_t Query::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Query::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

bool Query::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// ---- SqliteDb ----

SqliteDb::SqliteDb(std::string path, int busy_timeout_ms) : path_(std::move(path)) {
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(kind_for(rc) == StoreError::Kind::Sqlite ? StoreError::Kind::CannotOpen : kind_for(rc), path_,
                     "cannot open brain store '" + path_ + "': " + detail + open_hint(path_));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void SqliteDb::fail(int rc, std::string_view what) const {
  std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  const StoreError::Kind kind = kind_for(rc);
  std::string message = "brain store '" + path_ + "': ";
  switch (kind) {
    case StoreError::Kind::NotSqlite: message += "the file is not a SQLite database (" + detail + ")"; break;
    case StoreError::Kind::Corrupt: message += "the database is corrupt (" + detail + ")"; break;
    case StoreError::Kind::ReadOnly: message += "the database cannot be written (" + detail + ")"; break;
    case StoreError::Kind::CannotOpen: message += "the file cannot be opened (" + detail + ")"; break;
    default: message += detail; break;
  }
  if (!what.empty()) message += " [while: " + std::string(what.substr(0, 120)) + "]";
  throw StoreError(kind, path_, message);
}

Query SqliteDb::query(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr); rc != SQLITE_OK) {
      fail(rc, sql);
    }
    it = statements_.emplace(sql, stmt).first;
  }
  return Query(*this, it->second);
}

void SqliteDb::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  sqlite3_free(error);  // fail() reads sqlite3_errmsg, which holds the same text
  if (rc != SQLITE_OK) fail(rc, sql);
}

std::int64_t SqliteDb::scalar_int(const char* sql) {
  Query q = query(sql);
  return q.step() ? q.int64(0) : 0;
}

std::string SqliteDb::scalar_text(const char* sql) {
  Query q = query(sql);
  return q.step() ? q.text(0) : std::string();
}

std::int64_t SqliteDb::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int SqliteDb::changes() const { return sqlite3_changes(db_); }

// ---- Transaction ----

Transaction::Transaction(SqliteDb& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace zcache::brain
