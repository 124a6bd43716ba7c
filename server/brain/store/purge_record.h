// brain/store/purge_record.h — one entry of the purge log.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace zcache::brain {

// What the workers reported back, summed.
struct PurgeCounts {
  std::int64_t objects_purged = 0;
  std::int64_t bytes_freed = 0;
  std::int64_t nodes_affected = 0;

  bool operator==(const PurgeCounts&) const = default;
};

struct PurgeRecord {
  std::int64_t seq = 0;            // cluster-wide, strictly increasing, never reused (even across restarts)
  std::int64_t created_at_ms = 0;  // Unix milliseconds
  nlohmann::json selector;         // the purge request as accepted, e.g. {"prefix":"images/"}
  PurgeCounts counts;
  bool completed = false;          // false between begin_purge() and complete_purge()
};

// The sequence numbers still held by the log (retention drops the oldest). Both 0 when it is empty;
// `newest` is still the last sequence number handed out when older entries were pruned.
struct PurgeLogBounds {
  std::int64_t oldest = 0;
  std::int64_t newest = 0;
};

}  // namespace zcache::brain
