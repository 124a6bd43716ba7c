// BrainStore: opening the file. The registry, samples and purge log live in brain_store_*.cpp.
#include "brain/store/brain_store.h"

#include <stdexcept>

#include "brain/store/schema.h"
#include "brain/store/sqlite_db.h"

namespace zcache::brain {

BrainStore::BrainStore(const std::string& path, BrainStoreOptions options) : path_(path), options_(options) {
  if (path_.empty()) throw std::invalid_argument("brain store path is empty");
  if (options_.max_purges == 0) options_.max_purges = 1;
  if (options_.max_samples_per_node == 0) options_.max_samples_per_node = 1;
  db_ = std::make_unique<SqliteDb>(path_, options_.busy_timeout_ms);
  prepare_schema(*db_);
}

BrainStore::~BrainStore() = default;

}  // namespace zcache::brain
