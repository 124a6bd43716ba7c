// Work that a shard operation decides on under the shard lock but performs after unlocking:
// waking waiters, notifying listeners, and dropping the cache's references to removed entries
// (which may free memory). Keeping it out of the lock keeps the critical sections short and lets
// callbacks call back into the cache.
#pragma once

#include <zcache/cache.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace zcache::detail {

struct Deferred {
  std::vector<std::pair<WaitCallback, FlightResult>> wakeups;
  std::vector<std::pair<EntryRef, RemovalCause>> removals;
  std::vector<std::pair<std::string, std::uint64_t>> reads;  // replica reads to start: (key, flight id)

  void wake(WaitCallback cb, FlightResult r) { wakeups.emplace_back(std::move(cb), std::move(r)); }
  void removed(EntryRef e, RemovalCause cause) { removals.emplace_back(std::move(e), cause); }
};

}  // namespace zcache::detail
