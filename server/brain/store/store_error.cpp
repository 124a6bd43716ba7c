#include "brain/store/store_error.h"

namespace zcache::brain {

std::string_view store_error_name(StoreError::Kind kind) noexcept {
  switch (kind) {
    case StoreError::Kind::CannotOpen: return "cannot_open";
    case StoreError::Kind::ReadOnly: return "read_only";
    case StoreError::Kind::NotSqlite: return "not_sqlite";
    case StoreError::Kind::ForeignSchema: return "foreign_schema";
    case StoreError::Kind::NewerSchema: return "newer_schema";
    case StoreError::Kind::Corrupt: return "corrupt";
    case StoreError::Kind::Sqlite: return "sqlite";
  }
  return "unknown";
}

}  // namespace zcache::brain
