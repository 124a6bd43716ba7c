// brain/store/sqlite_db.h — a thin RAII layer over one sqlite3 connection: cached prepared
// statements, bound queries that reset themselves, and BEGIN IMMEDIATE transactions.
//
// Not thread-safe by itself: BrainStore serializes every call with its mutex, so the connection is
// opened with SQLITE_OPEN_NOMUTEX. Every failure becomes a StoreError naming the file.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "brain/store/store_error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace zcache::brain {

class SqliteDb;

// One use of a cached statement: bind, step, read columns. Resets and clears its bindings when it
// goes out of scope, so the cached statement is ready for the next use.
class Query {
 public:
  Query(SqliteDb& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Parameters are 1-based, as in SQLite.
  Query& bind(int index, std::int64_t value);
  Query& bind(int index, std::string_view text);
  Query& bind_null(int index);

  // Advances to the next row: true when there is one, false when done.
  bool step();
  // Steps to completion, for statements that return no rows.
  void run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating if missing) the file read-write. Throws StoreError{CannotOpen} if SQLite cannot.
  SqliteDb(std::string path, int busy_timeout_ms);
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

  // A statement prepared once per connection and reused (SQLITE_PREPARE_PERSISTENT), keyed by its
  // SQL text. Only one Query per statement may be alive at a time.
  Query query(const char* sql);

  // Runs SQL text directly (schema changes, pragmas, BEGIN/COMMIT). Rows are ignored.
  void exec(const char* sql);

  // Runs a single-value query (e.g. "PRAGMA user_version") and returns its integer.
  std::int64_t scalar_int(const char* sql);
  std::string scalar_text(const char* sql);

  // Throws a StoreError for SQLite result `rc`, with `what` saying what was being done.
  [[noreturn]] void fail(int rc, std::string_view what) const;

  std::int64_t last_insert_rowid() const;
  int changes() const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back if commit() was not reached (an exception unwound it).
// IMMEDIATE takes the write lock up front, so a second process waits in busy_timeout instead of
// failing with SQLITE_BUSY half-way through.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace zcache::brain
