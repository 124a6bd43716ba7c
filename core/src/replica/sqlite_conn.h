// One sqlite3 connection of the replica: cached prepared statements, statements that reset
// themselves, BEGIN IMMEDIATE transactions, and SQLite result codes turned into zcache::Error
// messages that name the file.
//
// Not thread-safe: each connection belongs to one thread (the writer, a reader, the poller), so
// it is opened with SQLITE_OPEN_NOMUTEX.
#pragma once

#include <zcache/error.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace zcache::replica {

// The ErrorKind for a SQLite result code: Corrupt (NOTADB, CORRUPT), Timeout (BUSY, LOCKED),
// Io (everything about files), Internal (misuse).
ErrorKind error_kind_for(int rc) noexcept;

class Conn;

// One use of a cached statement. Resets itself (and its bindings) when it goes out of scope.
class Stmt {
 public:
  Stmt(Conn& conn, sqlite3_stmt* stmt) : conn_(&conn), stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based. Blobs and text are bound without a copy: the bytes must outlive the
  // step() calls of this use.
  Stmt& bind(int index, std::int64_t value);
  Stmt& bind_blob(int index, std::string_view bytes);
  Stmt& bind_null(int index);

  bool step();  // true: a row; false: done
  void run();   // steps to completion

  std::int64_t int64(int column) const;
  bool is_null(int column) const;
  std::string_view blob(int column) const;  // valid until the next step or reset

 private:
  Conn* conn_;
  sqlite3_stmt* stmt_;
};

class Conn {
 public:
  // Opens the file read-write (creating it when `create`). Throws Io (or Corrupt) naming it.
  Conn(std::string path, bool create, int busy_timeout_ms);
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn();

  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

  // Prepared once per connection (keyed by the SQL text's address: pass string literals).
  Stmt stmt(const char* sql);
  void exec(const char* sql);
  std::int64_t scalar(const char* sql);
  std::string scalar_text(const char* sql);
  int changes() const noexcept;
  std::int64_t last_insert_rowid() const noexcept;

  // Throws the zcache::Error for result `rc`; `what` says what was being done.
  [[noreturn]] void fail(int rc, std::string_view what) const;
  // Throws Corrupt for damage SQLite cannot see (a malformed blob of ours, a missing row).
  [[noreturn]] void damaged(std::string_view what) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

// BEGIN IMMEDIATE (the write lock up front, so another process's writer makes us wait in
// busy_timeout rather than fail half-way) ... COMMIT; rolls back when not committed.
class WriteTx {
 public:
  explicit WriteTx(Conn& conn);
  WriteTx(const WriteTx&) = delete;
  WriteTx& operator=(const WriteTx&) = delete;
  ~WriteTx();
  void commit();

 private:
  Conn& conn_;
  bool done_ = false;
};

// BEGIN (deferred) ... COMMIT for a consistent snapshot across several reads.
class ReadTx {
 public:
  explicit ReadTx(Conn& conn);
  ReadTx(const ReadTx&) = delete;
  ReadTx& operator=(const ReadTx&) = delete;
  ~ReadTx();

 private:
  Conn& conn_;
};

}  // namespace zcache::replica
