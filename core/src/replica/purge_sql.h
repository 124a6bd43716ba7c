// A purge applied to the file inside the writer's transaction, and its purge_log row.
#pragma once

#include <zcache/cache.h>

#include <cstdint>

#include "replica/rows.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

struct PurgeApplied {
  PurgeResult result;
  std::int64_t log_id = 0;
};

// Hard: removes every covered row. Soft: a covered row still servable at `at_ms` gets
// fresh_until = min(fresh_until, at_ms); one that is not is removed (as the engine does). Every
// covered row counts in objects_purged; removed rows' sizes in bytes_freed. Logs the purge
// (origin, cluster_sequence), raises totals.last_purge_sequence, prunes the log to `log_limit`.
PurgeApplied apply_purge(sqlite::Conn& db, const PurgeSelector& selector, PurgeMode mode, std::int64_t at_ms,
                         std::int64_t cluster_sequence, std::int64_t origin, std::uint32_t log_limit, Totals& totals);

}  // namespace zcache::replica
