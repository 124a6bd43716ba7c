// The store's counters, shared by its threads (relaxed atomics: they are statistics). One also
// orders: `transactions` moves before a batch leaves the queue (read_snapshot.h relies on it).
#pragma once

#include <atomic>
#include <cstdint>

namespace zcache::replica {

struct Counters {
  std::atomic<std::uint64_t> writes{0}, superseded{0}, dropped{0}, committed{0}, batches{0}, transactions{0};
  std::atomic<std::uint64_t> write_errors{0}, reads{0}, read_hits{0}, read_errors{0};
  std::atomic<std::uint64_t> evictions{0}, expirations{0}, purges{0}, remote_purges{0};
  // The file's totals as of this store's last transaction.
  std::atomic<std::uint64_t> bytes{0}, entries{0};
  std::atomic<std::int64_t> last_purge_sequence{0};

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

}  // namespace zcache::replica
