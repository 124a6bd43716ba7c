#include "brain/store/schema.h"

#include <sqlite3.h>

#include <string>

#include "brain/store/store_error.h"
#include "util/sqlite_conn.h"

namespace zcache::brain {
namespace {

// Migration N takes user_version N-1 to N. Append only: never edit one that has shipped.
constexpr const char* kMigrations[] = {
    // 1: node registry, metric samples, purge log.
    R"sql(
    CREATE TABLE nodes (
      id               INTEGER PRIMARY KEY,          -- registration order; stable under VACUUM
      node_id          TEXT    NOT NULL UNIQUE,
      endpoint         TEXT    NOT NULL UNIQUE,      -- canonical form: one node per endpoint
      region           TEXT    NOT NULL,
      capacity_bytes   INTEGER NOT NULL CHECK (capacity_bytes > 0),
      used_bytes       INTEGER NOT NULL DEFAULT 0,
      object_count     INTEGER NOT NULL DEFAULT 0,
      status           TEXT    NOT NULL CHECK (status IN ('online', 'offline', 'draining')),
      registered_at_ms INTEGER NOT NULL,
      last_seen_at_ms  INTEGER NOT NULL
    );
    CREATE TABLE metric_samples (
      id              INTEGER PRIMARY KEY,
      node_ref        INTEGER NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
      collected_at_ms INTEGER NOT NULL,
      hits            INTEGER NOT NULL,
      misses          INTEGER NOT NULL,
      bytes_served    INTEGER NOT NULL,
      bytes_stored    INTEGER NOT NULL,
      object_count    INTEGER NOT NULL,
      evictions       INTEGER NOT NULL,
      capacity_bytes  INTEGER NOT NULL,
      latency         TEXT    NOT NULL                -- histogram_to_json()
    );
    CREATE INDEX metric_samples_by_node ON metric_samples(node_ref, id);
    CREATE INDEX metric_samples_by_age ON metric_samples(collected_at_ms);
    CREATE TABLE purge_log (
      seq            INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: never reused, even after pruning
      created_at_ms  INTEGER NOT NULL,
      selector       TEXT    NOT NULL,
      objects_purged INTEGER NOT NULL DEFAULT 0,
      bytes_freed    INTEGER NOT NULL DEFAULT 0,
      nodes_affected INTEGER NOT NULL DEFAULT 0,
      completed      INTEGER NOT NULL DEFAULT 0
    );
    )sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

// Refuses files that are not (or not yet) ours. Reads the header, so a non-SQLite file fails here.
void check_identity(sqlite::Conn& db) {
  const std::int64_t app_id = db.scalar("PRAGMA application_id");
  const std::int64_t tables = db.scalar("SELECT count(*) FROM sqlite_schema");
  const std::int64_t version = db.scalar("PRAGMA user_version");
  if (app_id == kApplicationId) {
    if (version > kSchemaVersion) {
      throw StoreError(StoreError::Kind::NewerSchema, db.path(),
                       "brain store '" + db.path() + "' has schema version " + std::to_string(version) +
                           ", written by a newer zcache; this build knows versions up to " +
                           std::to_string(kSchemaVersion) + ". Upgrade zcache or use another --replica-file.");
    }
    return;
  }
  if (app_id == 0 && tables == 0 && version == 0) return;  // a new, empty file: ours to initialize
  std::string detail = "application_id " + sqlite::hex32(app_id);
  if (tables > 0) {
    sqlite::Stmt q = db.stmt("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 3");
    std::string names;
    while (q.step()) names += (names.empty() ? "'" : ", '") + q.text(0) + "'";
    detail += ", " + std::to_string(tables) + " schema objects" + (names.empty() ? "" : " such as " + names);
  }
  throw StoreError(StoreError::Kind::ForeignSchema, db.path(),
                   "'" + db.path() + "' is a SQLite database of another application (" + detail +
                       "), not a zcache brain store (application_id " + sqlite::hex32(kApplicationId) +
                       "); refusing to touch it. Point --replica-file at a new or zcache file.");
}

void migrate(sqlite::Conn& db) {
  sqlite::WriteTx tx(db);
  // Re-read under the write lock: another process may have migrated since check_identity().
  check_identity(db);
  const std::int64_t version = db.scalar("PRAGMA user_version");
  if (version == kSchemaVersion) return;  // tx rolls back: nothing to do
  for (std::int64_t v = version; v < kSchemaVersion; ++v) db.exec(kMigrations[v]);
  db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

}  // namespace

void prepare_schema(sqlite::Conn& db) {
  check_identity(db);
  if (sqlite3_db_readonly(db.handle(), "main") == 1) {
    throw StoreError(StoreError::Kind::ReadOnly, db.path(),
                     "brain store '" + db.path() + "' is read-only; the brain needs to write it");
  }
  // WAL: readers never block the writer; NORMAL sync is durable against process crashes and
  // never corrupts on power loss (the last transactions may be lost, which polling refills).
  // An in-memory database reports "memory" and stays that way.
  db.scalar_text("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
}

}  // namespace zcache::brain
