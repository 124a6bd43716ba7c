// brain/store/store_error.h — the one exception type the brain store throws.
//
// Every message names the database file, so a misconfigured --replica-file is obvious from the log
// line alone. "Not found" is never an exception: lookups return std::optional / bool.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace zcache::brain {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    CannotOpen,     // path missing, a directory, no permission
    ReadOnly,       // the file (or its directory) cannot be written
    NotSqlite,      // the file is not a SQLite database at all
    ForeignSchema,  // a SQLite database, but not a zcache brain store (application_id)
    NewerSchema,    // a brain store written by a newer zcache (user_version too high)
    Corrupt,        // SQLite reports corruption, or a stored value cannot be decoded
    Sqlite,         // any other SQLite failure (disk full, I/O error, busy past the timeout)
  };

  StoreError(Kind kind, std::string path, const std::string& message)
      : std::runtime_error(message), kind_(kind), path_(std::move(path)) {}

  Kind kind() const noexcept { return kind_; }
  const std::string& path() const noexcept { return path_; }

 private:
  Kind kind_;
  std::string path_;
};

// "cannot_open", "not_sqlite", ... (stable, for logs and tests).
std::string_view store_error_name(StoreError::Kind kind) noexcept;

}  // namespace zcache::brain
