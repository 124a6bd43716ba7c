// Rows of `entries` and `tags`, as the writer changes them inside its transaction. Every change
// goes through here so that meta's totals (Totals) stay equal to the sum over the rows.
#pragma once

#include <zcache/replica.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/sqlite_conn.h"

namespace zcache::replica {

// meta's row, read at the start of a write transaction and written back at its end.
struct Totals {
  std::int64_t bytes = 0;
  std::int64_t entries = 0;
  std::int64_t last_purge_sequence = 0;
};
Totals read_totals(sqlite::Conn& db);
void write_totals(sqlite::Conn& db, const Totals& t);

// What deleting or replacing a row needs to know of it.
struct RowRef {
  std::int64_t id = 0;
  std::int64_t size = 0;
  std::string tags;  // encoded
  std::int64_t fresh_until = 0;
  std::int64_t stale_until = 0;
};

std::optional<RowRef> find_row(sqlite::Conn& db, std::string_view key);
// Inserts or replaces the key's row (and its tag rows).
void upsert_row(sqlite::Conn& db, const ReplicaEntry& e, std::int64_t now_ms, Totals& t);
void delete_row(sqlite::Conn& db, const RowRef& row, Totals& t);

}  // namespace zcache::replica
