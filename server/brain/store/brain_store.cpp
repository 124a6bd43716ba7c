// BrainStore: opening the file. The registry, samples and purge log live in brain_store_*.cpp.
#include "brain/store/brain_store.h"

#include <sqlite3.h>

#include <stdexcept>

#include "brain/store/schema.h"
#include "util/sqlite_conn.h"

namespace zcache::brain {
namespace {

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

// The connection's failures as the brain's one exception type (the API maps its kinds to HTTP
// statuses); the message is the connection's, which names the file.
[[noreturn]] void raise_store_error(const sqlite::Failure& f) {
  StoreError::Kind kind = kind_for(f.rc);
  if (f.opening && kind == StoreError::Kind::Sqlite) kind = StoreError::Kind::CannotOpen;
  throw StoreError(kind, f.path, f.message);
}

}  // namespace

BrainStore::BrainStore(const std::string& path, BrainStoreOptions options) : path_(path), options_(options) {
  if (path_.empty()) throw std::invalid_argument("brain store path is empty");
  if (options_.max_purges == 0) options_.max_purges = 1;
  if (options_.max_samples_per_node == 0) options_.max_samples_per_node = 1;
  db_ = std::make_unique<sqlite::Conn>(path_, /*create=*/true, options_.busy_timeout_ms,
                                       sqlite::ErrorStyle{"brain store", raise_store_error});
  prepare_schema(*db_);
}

BrainStore::~BrainStore() = default;

}  // namespace zcache::brain
