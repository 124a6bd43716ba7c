#include "util/sqlite_conn.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>

namespace zcache::sqlite {
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

}  // namespace

std::string hex32(std::int64_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(static_cast<std::uint32_t>(value)));
  return buf;
}

ErrorKind error_kind_for(int rc) noexcept {
  switch (rc & 0xFF) {  // the primary result code
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: return ErrorKind::Corrupt;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorKind::Timeout;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_ERROR: return ErrorKind::Internal;
    default: return ErrorKind::Io;  // IOERR, CANTOPEN, FULL, READONLY, PERM, NOMEM, ...
  }
}

// ---- Stmt

Stmt::~Stmt() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) conn_->fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
  // SQLITE_STATIC: no copy. A zero-length blob needs a non-null pointer, or SQLite binds NULL.
  const char* p = bytes.data() ? bytes.data() : "";
  if (int rc = sqlite3_bind_blob64(stmt_, index, p, bytes.size(), SQLITE_STATIC); rc != SQLITE_OK)
    conn_->fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_text(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies. As with blobs, empty text needs a non-null pointer.
  const char* p = text.data() ? text.data() : "";
  if (int rc = sqlite3_bind_text64(stmt_, index, p, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8); rc != SQLITE_OK)
    conn_->fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) conn_->fail(rc, "bind");
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  conn_->fail(rc, sqlite3_sql(stmt_));
}

void Stmt::run() {
  while (step()) {
  }
}

std::int64_t Stmt::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Stmt::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string_view Stmt::blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string_view();
}

std::string Stmt::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

// ---- Conn

Conn::Conn(std::string path, bool create, int busy_timeout_ms, ErrorStyle errors)
    : path_(std::move(path)), errors_(errors) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    raise(rc, true,
          std::string(errors_.label) + " '" + path_ + "': cannot open the file (" + detail + ")" + open_hint(path_));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Conn::~Conn() {
  for (auto& [sql, s] : stmts_) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

void Conn::raise(int rc, bool opening, const std::string& message) const {
  if (errors_.raise) errors_.raise(Failure{rc, opening, path_, message});
  throw Error(opening ? ErrorKind::Io : error_kind_for(rc), message);
}

void Conn::fail(int rc, std::string_view what) const {
  const std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string message = std::string(errors_.label) + " '" + path_ + "': ";
  switch (rc & 0xFF) {
    case SQLITE_NOTADB: message += "the file is not a SQLite database (" + detail + ")"; break;
    case SQLITE_CORRUPT: message += "the database file is damaged (" + detail + ")"; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: message += "another connection held the database locked too long (" + detail + ")"; break;
    case SQLITE_FULL: message += "the disk is full (" + detail + ")"; break;
    case SQLITE_READONLY:
    case SQLITE_PERM: message += "the file cannot be written (" + detail + ")"; break;
    case SQLITE_CANTOPEN: message += "the file cannot be opened (" + detail + ")"; break;
    default: message += detail; break;
  }
  if (!what.empty()) message += " [while: " + std::string(what.substr(0, 120)) + "]";
  raise(rc, false, message);
}

void Conn::damaged(std::string_view what) const {
  raise(SQLITE_CORRUPT, false,
        std::string(errors_.label) + " '" + path_ + "': the database file is damaged (" + std::string(what) + ")");
}

Stmt Conn::stmt(std::string_view sql) {
  auto it = stmts_.find(sql);
  if (it == stmts_.end()) {
    sqlite3_stmt* s = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s,
                                      nullptr);
    if (rc != SQLITE_OK) fail(rc, sql);
    it = stmts_.emplace(std::string(sql), s).first;
  }
  return Stmt(*this, it->second);
}

void Conn::exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, sql);
}

std::int64_t Conn::scalar(std::string_view sql) {
  Stmt s = stmt(sql);
  return s.step() ? s.int64(0) : 0;
}

std::string Conn::scalar_text(std::string_view sql) {
  Stmt s = stmt(sql);
  return s.step() ? s.text(0) : std::string();
}

int Conn::changes() const noexcept { return sqlite3_changes(db_); }
std::int64_t Conn::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

// ---- transactions

WriteTx::WriteTx(Conn& conn) : conn_(conn) { conn_.exec("BEGIN IMMEDIATE"); }

WriteTx::~WriteTx() {
  if (!done_) sqlite3_exec(conn_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTx::commit() {
  conn_.exec("COMMIT");
  done_ = true;
}

ReadTx::ReadTx(Conn& conn) : conn_(conn) { conn_.exec("BEGIN"); }
ReadTx::~ReadTx() { sqlite3_exec(conn_.handle(), "COMMIT", nullptr, nullptr, nullptr); }

}  // namespace zcache::sqlite
