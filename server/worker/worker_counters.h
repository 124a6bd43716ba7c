// What a worker counts for the brain's metrics poller. Updated on the loop thread, read from
// any thread (relaxed atomics: each counter is independent).
#pragma once

#include <atomic>
#include <cstdint>

namespace zcache::worker {

struct WorkerCounters {
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> stale_hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> bytes_served{0};
  std::atomic<std::uint64_t> writes{0};

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

}  // namespace zcache::worker
