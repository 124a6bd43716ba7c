// One sqlite3 connection: prepared statements cached per connection, statements that reset
// themselves, BEGIN IMMEDIATE / deferred transactions, and SQLite result codes turned into
// messages that name the file. Used by the replica tier (core/src/replica) and the brain's store
// (server/brain/store), which differ only in the exception they throw (ErrorStyle).
//
// Not thread-safe: each connection belongs to one thread at a time (the replica gives each thread
// its own; the brain serializes calls with its mutex), so it is opened with SQLITE_OPEN_NOMUTEX.
#pragma once

#include <zcache/error.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace zcache::sqlite {

// The ErrorKind for a SQLite result code: Corrupt (NOTADB, CORRUPT), Timeout (BUSY, LOCKED),
// Internal (ERROR, MISUSE, RANGE), Io (everything else: files, disk, permissions, memory).
ErrorKind error_kind_for(int rc) noexcept;

// A 32-bit header field as 0xXXXXXXXX, the way `PRAGMA application_id` values are written.
std::string hex32(std::int64_t value);

// A failure as a connection reports it, for an ErrorStyle::raise that throws its own type.
struct Failure {
  int rc;                      // SQLite's result code; SQLITE_CORRUPT for damage found by the caller
  bool opening;                // the file could not be opened at all
  const std::string& path;
  const std::string& message;  // "<label> '<path>': <the problem> (<SQLite's words>) [while: <sql>]"
};

// How a connection words and throws its failures. The default is the core's: messages start
// "replica '<path>'" (the core's one SQLite file) and the exception is zcache::Error with
// error_kind_for(rc).
struct ErrorStyle {
  const char* label = "replica";  // static storage: a literal
  // Throws the caller's exception for a failure. nullptr (or a raise that returns) throws zcache::Error.
  void (*raise)(const Failure& failure) = nullptr;
};

class Conn;

// One use of a cached statement. Resets itself (and its bindings) when it goes out of scope, so
// the cached statement is ready for the next use. Only one Stmt per statement may be alive at a time.
class Stmt {
 public:
  Stmt(Conn& conn, sqlite3_stmt* stmt) : conn_(&conn), stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based.
  Stmt& bind(int index, std::int64_t value);
  // Not copied (the replica's values can be large): the bytes must outlive this use's step() calls.
  Stmt& bind_blob(int index, std::string_view bytes);
  // Copied (the brain binds short strings, often temporaries): the text may go away before step().
  Stmt& bind_text(int index, std::string_view text);
  Stmt& bind_null(int index);

  bool step();  // true: a row; false: done
  void run();   // steps to completion

  std::int64_t int64(int column) const;
  bool is_null(int column) const;
  std::string_view blob(int column) const;  // valid until the next step or reset
  std::string text(int column) const;       // a copy

 private:
  Conn* conn_;
  sqlite3_stmt* stmt_;
};

class Conn {
 public:
  // Opens the file read-write (creating it when `create`). Throws (per `errors`) naming it.
  Conn(std::string path, bool create, int busy_timeout_ms, ErrorStyle errors = {});
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn();

  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

  // Prepared once per connection (SQLITE_PREPARE_PERSISTENT) and reused, keyed by the SQL text,
  // so SQL built at run time is safe too (an address key would confuse two texts that reuse one
  // buffer); a lookup hashes the text without allocating.
  Stmt stmt(std::string_view sql);
  void exec(const char* sql);  // not cached: schema changes, pragmas, BEGIN/COMMIT; rows are ignored
  std::int64_t scalar(std::string_view sql);  // the first column of the first row, or 0
  std::string scalar_text(std::string_view sql);
  int changes() const noexcept;
  std::int64_t last_insert_rowid() const noexcept;

  // Throws the error for result `rc`; `what` says what was being done.
  [[noreturn]] void fail(int rc, std::string_view what) const;
  // Throws Corrupt for damage SQLite cannot see (a malformed blob of ours, a missing row).
  [[noreturn]] void damaged(std::string_view what) const;

 private:
  [[noreturn]] void raise(int rc, bool opening, const std::string& message) const;

  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  std::string path_;
  ErrorStyle errors_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> stmts_;
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

}  // namespace zcache::sqlite
