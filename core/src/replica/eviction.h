// The byte budget, kept inside the writer's transaction: when meta.total_bytes exceeds
// max_bytes, rows past their last window go first (oldest reclaim_at first), then the least
// recently accessed (last_access: written at each write, moved by disk hits in batches).
#pragma once

#include <cstdint>

#include "replica/counters.h"
#include "replica/rows.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

void enforce_budget(sqlite::Conn& db, std::uint64_t max_bytes, std::int64_t now_ms, Totals& totals, Counters& counters);

}  // namespace zcache::replica
