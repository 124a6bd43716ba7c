// Bélády's MIN for demand paging: every missed key is admitted; when the cache is full, the
// resident key whose next use is farthest away (never used again counts as farthest) makes room
// first. This is the "evict the resident key whose next use is farthest" of the reference
// simulator in ../shared/traces/README.md and reproduces its OPT column exactly. (Letting the
// newcomer itself lose, i.e. bypassing, would score a few hundredths of a point higher.)
#include "opt_policy.h"

#include <absl/container/flat_hash_map.h>

#include <limits>
#include <queue>
#include <utility>
#include <vector>

namespace zcache::sim {

std::uint64_t opt_hits(const Trace& trace, std::uint64_t capacity) {
  const std::size_t n = trace.size();
  if (capacity == 0 || n == 0) return 0;
  constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

  // Dense ids for the keys and, for each request, the index of the next request of its key.
  std::vector<std::uint32_t> id(n);
  std::uint32_t distinct = 0;
  {
    absl::flat_hash_map<Key, std::uint32_t> ids;
    ids.reserve(1024);
    for (std::size_t i = 0; i < n; ++i) {
      const auto [it, inserted] = ids.try_emplace(trace[i], distinct);
      id[i] = it->second;
      if (inserted) ++distinct;
    }
  }
  std::vector<std::uint64_t> next_use(n);
  {
    std::vector<std::uint64_t> seen(distinct, kNever);
    for (std::size_t i = n; i-- > 0;) {
      next_use[i] = seen[id[i]];
      seen[id[i]] = i;
    }
  }

  // Residents by next use, farthest on top. Entries go stale when their key is evicted or used
  // again (its next use moves on); a stale entry is dropped when it reaches the top.
  using Entry = std::pair<std::uint64_t, std::uint32_t>;  // (next use, key id)
  std::priority_queue<Entry> by_next_use;
  std::vector<std::uint64_t> resident_next(distinct, 0);
  std::vector<bool> resident(distinct, false);
  std::uint64_t resident_count = 0, hits = 0;

  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = id[i];
    if (resident[k]) {
      ++hits;
    } else {
      while (resident_count >= capacity) {
        const auto [next, victim] = by_next_use.top();
        by_next_use.pop();
        if (!resident[victim] || resident_next[victim] != next) continue;  // stale
        resident[victim] = false;
        --resident_count;
      }
      resident[k] = true;
      ++resident_count;
    }
    resident_next[k] = next_use[i];
    by_next_use.emplace(next_use[i], k);
  }
  return hits;
}

}  // namespace zcache::sim
