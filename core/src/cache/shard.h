// One shard of the engine: a lock and everything it guards — the key index (also scanned by
// prefix purges), the tag index, the eviction policy, the timer wheel, and the fills in
// flight. Keys are spread over shards by the top bits of their hash; each shard has an equal
// slice of the byte budget and never goes over it.
//
// Every method requires `mu` held by the caller, except the constructor.
#pragma once

#include "cache/deferred.h"
#include "cache/entry.h"
#include "cache/timer_wheel.h"
#include "cache/wtinylfu.h"
#include "util/adaptive_mutex.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace zcache::detail {

struct EntryTraits {
  static ListLinks<Entry>& links(Entry& e) noexcept { return e.lru; }
  static std::uint8_t& queue(Entry& e) noexcept { return e.queue; }
  static std::uint64_t weight(const Entry& e) noexcept { return e.charge(); }
  static std::uint64_t hash(const Entry& e) noexcept { return hash_key(e.key()); }
  static ListLinks<Entry>& timer_links(Entry& e) noexcept { return e.timer; }
  static std::uint8_t& timer_slot(Entry& e) noexcept { return e.timer_slot; }
  static std::int64_t deadline(const Entry& e) noexcept { return e.reclaim_at(); }
};

// A lookup by a key's hash alone (Cache::record_hits: a policy hint, where a collision between
// two keys is harmless).
struct KeyHashOnly {
  std::uint64_t hash;
};

struct EntryKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view k) const noexcept { return hash_key(k); }
  std::size_t operator()(const Entry* e) const noexcept { return hash_key(e->key()); }
  std::size_t operator()(KeyHashOnly h) const noexcept { return h.hash; }
};

struct EntryKeyEq {
  using is_transparent = void;
  static std::string_view k(std::string_view s) noexcept { return s; }
  static std::string_view k(const Entry* e) noexcept { return e->key(); }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept { return k(a) == k(b); }
  bool operator()(Entry* e, KeyHashOnly h) const noexcept { return hash_key(e->key()) == h.hash; }
  bool operator()(KeyHashOnly h, Entry* e) const noexcept { return hash_key(e->key()) == h.hash; }
};

// Transparent std::string hashing (absl's own takes absl::string_view, which this absl build
// keeps distinct from std::string_view).
struct StringKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return hash_key(s); }
};
struct StringKeyEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};
template <class V>
using StringMap = absl::flat_hash_map<std::string, V, StringKeyHash, StringKeyEq>;

// A single-flight fill or revalidation in progress for one key.
struct Flight {
  std::uint64_t id = 0;
  std::int64_t started_ms = 0;
  bool revalidation = false;
  // The leader is the replica read (no ticket out yet); see CacheImpl::on_replica_read.
  bool reading = false;
  bool soft_fired = false;  // waiters were given the old value at the soft timeout
  bool hard_fired = false;  // waiters were given a Timeout error at the hard timeout
  // Set by a purge or a newer write while in flight: the fill is then not stored (Hard) or
  // stored as already stale (Soft).
  std::optional<PurgeMode> invalidated;
  std::vector<std::pair<std::string, PurgeMode>> purged_tags;  // tag purges while in flight
  struct Waiter {
    std::uint64_t id;
    WaitCallback callback;
  };
  std::vector<Waiter> waiters;
  EntryRef previous;  // the entry being refreshed: served on error or at the soft timeout

  void invalidate(PurgeMode mode) noexcept {
    if (!invalidated || mode == PurgeMode::Hard) invalidated = mode;
  }
};

struct ShardCounters {
  std::uint64_t hits = 0, stale_hits = 0, misses = 0, fills = 0, sets = 0;
  std::uint64_t evictions = 0, expirations = 0, purged = 0, rejected = 0;
};

class Shard {
 public:
  // `changes` counts this shard's changes (see Cache::change_counts); it outlives the shard.
  Shard(std::uint64_t budget, std::int64_t now_ms, std::atomic<std::uint32_t>& changes);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  util::AdaptiveMutex mu;

  std::uint64_t budget() const noexcept { return policy_.max_weight(); }
  std::uint64_t bytes() const noexcept { return policy_.weight(); }
  std::uint64_t entries() const noexcept { return policy_.entries(); }

  Entry* find(std::string_view key, std::uint64_t hash) const noexcept {
    auto it = map_.find(key, hash);
    return it == map_.end() ? nullptr : *it;
  }
  // The resident entry whose key hashes to `hash` (one of them, should two keys share it).
  Entry* find_by_hash(std::uint64_t hash) const noexcept {
    auto it = map_.find(KeyHashOnly{hash}, hash);
    return it == map_.end() ? nullptr : *it;
  }
  // Tells readers of the change count that some entry of the shard was added, replaced, removed
  // or had its windows moved. Called under `mu`, after the change.
  void changed() noexcept { changes_.fetch_add(1, std::memory_order_release); }
  // Records a read for the eviction policy.
  void touch(Entry& e, std::uint64_t hash, std::uint32_t weight = 1) noexcept { policy_.on_hit(e, hash, weight); }

  // Adopts the reference in `e` and stores it, replacing the entry with the same key; then evicts
  // down to the budget (which may evict `e` itself: admission is W-TinyLFU's choice).
  void insert(Entry* e, std::uint64_t hash, Deferred& out);
  // Removes a resident entry from every index; the cache's reference goes to `out`.
  void remove(Entry* e, RemovalCause cause, Deferred& out);
  // Reclaims entries past their last window.
  void advance_time(std::int64_t now_ms, Deferred& out);
  void remove_all(RemovalCause cause, Deferred& out);

  // Resident entries whose key starts with `prefix`, by a scan of the key index. There is no
  // ordered index: keeping one cost every insert and replace a tree walk of ~log2(n) cache
  // misses (it made a set ~1.5x slower than a naive LRU's); a prefix purge is rare, and a scan
  // with the entries prefetched ahead touches each once.
  template <class F>
  void for_each_with_prefix(std::string_view prefix, F&& f) const {
    constexpr int kAhead = 8;
    Entry* window[kAhead] = {};
    int n = 0;
    auto visit = [&](Entry* e) {
      if (e->key().starts_with(prefix)) f(e);
    };
    for (Entry* e : map_) {
      __builtin_prefetch(e);
      Entry*& slot = window[n++ % kAhead];
      if (slot) visit(slot);
      slot = e;
    }
    for (int i = 0; i < kAhead; ++i)
      if (Entry* e = window[(n + i) % kAhead]) visit(e);
  }
  template <class F>
  void for_each_with_tag(std::string_view tag, F&& f) const {
    auto it = tags_.find(tag);
    if (it == tags_.end()) return;
    for (Entry* e : it->second) f(e);
  }

  StringMap<std::unique_ptr<Flight>> flights;
  ShardCounters counters;

 private:
  void unindex(Entry* e);
  void unindex_tags(Entry* e);
  void index_tags(Entry* e);

  std::atomic<std::uint32_t>& changes_;
  absl::flat_hash_set<Entry*, EntryKeyHash, EntryKeyEq> map_;
  StringMap<absl::flat_hash_set<Entry*>> tags_;
  WTinyLfu<Entry, EntryTraits> policy_;
  TimerWheel<Entry, EntryTraits> wheel_;
};

}  // namespace zcache::detail
