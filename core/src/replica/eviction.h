// The byte budget, kept inside the writer's transaction: when meta.total_bytes exceeds
// max_bytes, rows past their last window go first (oldest reclaim_at first), then the least
// recently accessed (last_access: written at each write, moved by disk hits in batches).
// And the periodic sweep of rows past their last window, whatever the budget.
#pragma once

#include <cstdint>

#include "replica/counters.h"
#include "replica/rows.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

void enforce_budget(sqlite::Conn& db, std::uint64_t max_bytes, std::int64_t now_ms, Totals& totals, Counters& counters);

// The sweep: deletes up to `limit` rows past their last window, oldest first, and returns how
// many went (counted as expirations).
std::uint64_t reclaim_expired(sqlite::Conn& db, std::int64_t now_ms, std::uint64_t limit, Totals& totals,
                              Counters& counters);
// Whether any row is past its last window (a read, outside any write transaction).
bool has_expired(sqlite::Conn& db, std::int64_t now_ms);

}  // namespace zcache::replica
