// Shared helpers for the core tests: a cache on a hand-driven clock.
#pragma once

#include <zcache/cache.h>

#include "purge_selectors.h"

#include <memory>
#include <string>

namespace zcache::test {

struct ClockedCache {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  Cache cache;

  explicit ClockedCache(CacheOptions o = {}) : cache(with_clock(std::move(o), clock)) {}

  static CacheOptions with_clock(CacheOptions o, std::shared_ptr<ManualClock> c) {
    o.clock = std::move(c);
    return o;
  }
  // Moves time and lets the engine reclaim what expired.
  void advance(std::int64_t ms) {
    clock->advance(ms);
    cache.run_maintenance();
  }
};

inline EntryOptions windows(std::int64_t ttl, std::int64_t stale = 0, std::int64_t on_error = 0) {
  EntryOptions o;
  o.ttl_ms = ttl;
  o.stale_ms = stale;
  o.stale_if_error_ms = on_error;
  return o;
}

inline EntryOptions tagged(std::initializer_list<std::string> tags, std::int64_t ttl = 60'000) {
  EntryOptions o = windows(ttl);
  o.tags = tags;
  return o;
}

inline CacheOptions sized(std::uint64_t max_bytes, std::uint32_t shards = 0) {
  CacheOptions o;
  o.max_bytes = max_bytes;
  o.shards = shards;
  return o;
}

inline std::string value_of(const EntryRef& e) { return e ? std::string(e.value()) : std::string("<none>"); }

}  // namespace zcache::test
