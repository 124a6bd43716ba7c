#include "replica/schema.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace zcache::replica {
namespace {

// Migration N takes user_version N-1 to N. Append only: never edit one that has shipped.
constexpr const char* kMigrations[] = {
    // 1: entries, their tags, the budget's bookkeeping and the purge log.
    R"sql(
    CREATE TABLE meta (
      id                  INTEGER PRIMARY KEY CHECK (id = 1),
      total_bytes         INTEGER NOT NULL,  -- sum of entries.size: the budget's measure
      entry_count         INTEGER NOT NULL,
      last_purge_sequence INTEGER NOT NULL   -- highest cluster sequence applied
    );
    INSERT INTO meta VALUES (1, 0, 0, 0);
    CREATE TABLE entries (
      id          INTEGER PRIMARY KEY,        -- appended (fast writes); tags refer to it
      key         BLOB    NOT NULL UNIQUE,
      fresh_until INTEGER NOT NULL,           -- ms since the Unix epoch
      stale_until INTEGER NOT NULL,
      error_until INTEGER NOT NULL,
      reclaim_at  INTEGER NOT NULL,           -- max(stale_until, error_until): useless after
      last_access INTEGER NOT NULL,           -- the LRU order for eviction
      size        INTEGER NOT NULL,           -- replica_charge()
      encoding    INTEGER NOT NULL,
      tags        BLOB,                       -- NULL or codec.h's tag list
      value       BLOB    NOT NULL
    );
    CREATE INDEX entries_by_reclaim ON entries(reclaim_at);
    CREATE INDEX entries_by_access ON entries(last_access);
    CREATE TABLE tags (
      tag   BLOB    NOT NULL,
      entry INTEGER NOT NULL,                 -- entries.id; rows are removed with their entry
      PRIMARY KEY (tag, entry)
    ) WITHOUT ROWID;
    CREATE TABLE purge_log (
      id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- the file's local sequence; never reused
      cluster_sequence INTEGER,               -- NULL when the caller gave none
      origin           INTEGER NOT NULL,      -- the store that made it (its listener skips it)
      mode             INTEGER NOT NULL,      -- 0 hard, 1 soft
      selector         BLOB    NOT NULL,      -- codec.h
      at_ms            INTEGER NOT NULL,
      objects_purged   INTEGER NOT NULL,
      bytes_freed      INTEGER NOT NULL
    );
    )sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

[[noreturn]] void corrupt(const sqlite::Conn& db, const std::string& what) {
  throw Error(ErrorKind::Corrupt, "replica '" + db.path() + "': " + what);
}

// True when the file needs creating or migrating (new and empty, or ours of an older layout);
// throws Corrupt for one that is not ours or
// is of a newer layout. Reading the header is what makes a non-SQLite file fail (NOTADB).
bool check_identity(sqlite::Conn& db) {
  const std::int64_t app_id = db.scalar("PRAGMA application_id");
  const std::int64_t version = db.scalar("PRAGMA user_version");
  const std::int64_t objects = db.scalar("SELECT count(*) FROM sqlite_schema");
  if (app_id == kApplicationId) {
    if (version > kSchemaVersion)
      corrupt(db, "schema version " + std::to_string(version) + " was written by a newer zcache; this build reads up to " +
                      std::to_string(kSchemaVersion) + " (upgrade, or open with rebuild_if_unreadable to start afresh)");
    return version < kSchemaVersion;
  }
  if (app_id == 0 && objects == 0 && version == 0) return true;
  std::string detail = "application_id " + sqlite::hex32(app_id);
  if (objects > 0) {
    sqlite::Stmt q = db.stmt("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 3");
    std::string names;
    while (q.step()) names += (names.empty() ? "'" : ", '") + std::string(q.blob(0)) + "'";
    detail += ", tables such as " + names;
  }
  corrupt(db, "a SQLite database of another application (" + detail + "), not a zcache replica (application_id " +
                  sqlite::hex32(kApplicationId) + "); refusing to touch it");
}

void migrate(sqlite::Conn& db) {
  sqlite::WriteTx tx(db);
  check_identity(db);  // again under the write lock: another process may have done it meanwhile
  const std::int64_t version = db.scalar("PRAGMA user_version");
  if (version == kSchemaVersion) return;  // rolls back: nothing to do
  for (std::int64_t v = version; v < kSchemaVersion; ++v) db.exec(kMigrations[v]);
  db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

// Switching the journal mode needs the file to itself, and SQLite answers BUSY at once (without
// its busy handler) while another process is opening the same new file: retry until the timeout.
std::string switch_to_wal(sqlite::Conn& db, int busy_timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    try {
      return db.scalar_text("PRAGMA journal_mode = WAL");
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::Timeout || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::unique_ptr<sqlite::Conn> open_checked(const ReplicaOptions& o) {
  auto db = std::make_unique<sqlite::Conn>(o.path, true, o.busy_timeout_ms);
  bool needs_schema;
  {
    sqlite::ReadTx snapshot(*db);  // one snapshot: another process may be creating the schema right now
    needs_schema = check_identity(*db);
  }
  if (sqlite3_db_readonly(db->handle(), "main") == 1)
    throw Error(ErrorKind::Io, "replica '" + o.path + "': the file is read-only; the replica needs to write it");
  // WAL: readers never block the writer and a crash never corrupts; persistent in the file.
  if (db->scalar_text("PRAGMA journal_mode") != "wal" && switch_to_wal(*db, o.busy_timeout_ms) != "wal")
    throw Error(ErrorKind::Io, "replica '" + o.path + "': cannot switch to WAL mode (is it on a network file system?)");
  if (needs_schema) migrate(*db);
  // A damaged schema shows here, on the first real read, rather than later on the writer thread.
  if (db->scalar("SELECT count(*) FROM meta WHERE id = 1") != 1) corrupt(*db, "the meta row is missing");
  return db;
}

// Moves the file and its WAL aside (a WAL left behind would be replayed into the new file) and
// removes its shared-memory index.
void move_aside(const std::string& path) {
  namespace fs = std::filesystem;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  std::string aside = path + ".unreadable-" + std::to_string(ms);
  for (int i = 1; fs::exists(aside); ++i) aside = path + ".unreadable-" + std::to_string(ms) + "." + std::to_string(i);
  std::error_code ec;
  fs::rename(path, aside, ec);
  if (ec) throw Error(ErrorKind::Io, "replica '" + path + "': cannot move the unreadable file aside: " + ec.message());
  fs::rename(path + "-wal", aside + "-wal", ec);
  fs::remove(path + "-shm", ec);
  fs::remove(path + "-journal", ec);
}

}  // namespace

std::unique_ptr<sqlite::Conn> open_writer(const ReplicaOptions& o) {
  std::unique_ptr<sqlite::Conn> db;
  try {
    db = open_checked(o);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Corrupt || !o.rebuild_if_unreadable) throw;
    move_aside(o.path);
    db = open_checked(o);
  }
  db->exec(o.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db->exec("PRAGMA journal_size_limit = 67108864");  // the WAL is truncated back to 64 MiB
  db->exec("PRAGMA cache_size = -16384");            // 16 MiB of pages: the indexes' hot part
  return db;
}

std::unique_ptr<sqlite::Conn> open_reader(const ReplicaOptions& o) {
  auto db = std::make_unique<sqlite::Conn>(o.path, false, o.busy_timeout_ms);
  db->exec("PRAGMA query_only = ON");
  db->exec("PRAGMA cache_size = -16384");  // 16 MiB: the b-trees' interior pages stay cached
  // No mmap: disk hits are by nature cold pages, and a first touch through a mapping (a page
  // fault) measured slower than pread() into SQLite's page cache (random key lookups on the
  // 1M-entry bench file, no thread hop: p50 7.7 µs mapped, 5.2 µs not).
  return db;
}

}  // namespace zcache::replica
