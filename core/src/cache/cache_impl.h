// The engine behind a Cache handle. See cache.h for the contract and docs/ARCHITECTURE.md for
// the design.
//
// Locking: each shard's mutex guards that shard; no code path holds two shard locks, so there is
// no lock order to get wrong. `listeners_mu_` is a leaf lock (never held while calling out).
// Callbacks and listeners run after the shard lock is released (see Deferred). `active_mu_` is a
// leaf lock too (taken under a shard lock). No lock of the engine is held while calling into the
// replica store, and the store's callbacks run with none held.
//
// The replica (CacheOptions::replica). Both tiers see every purge, erase and newer write in a
// compatible order without holding a lock across them:
// - set() and erase() queue to the file first, then change memory. A read-through started after
//   the queueing sees it (the store's reads include its queue); one started before belongs to a
//   flight that the memory change invalidates, so its result is not promoted.
// - purge() registers itself as in progress, queues the file's purge, purges memory, then
//   unregisters. A fill or promotion that meets a registered purge covering its entry treats it
//   like a purge that hit its flight.
// - fill() queues its write before deciding under the lock, and queues an erase (or the stale
//   rewrite of a soft purge) when a purge or newer write won. So the file never keeps a fill
//   that a purge beat, at the price of an occasional extra erase (a miss, never a wrong value).
#pragma once

#include "cache/deferred.h"
#include "cache/shard.h"

#include <zcache/cache.h>
#include <zcache/replica.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace zcache::detail {

class CacheImpl : public std::enable_shared_from_this<CacheImpl> {
 public:
  explicit CacheImpl(CacheOptions options);
  ~CacheImpl();
  CacheImpl(const CacheImpl&) = delete;
  CacheImpl& operator=(const CacheImpl&) = delete;

  // Starts the background maintenance thread (needs shared_from_this, so not in the constructor).
  void start_maintenance();
  // Installs the replica's purge listener (needs weak_from_this, so not in the constructor).
  void attach_replica();

  GetResult get(std::string_view key);
  bool contains(std::string_view key);
  bool is_resident(const EntryRef& entry);
  bool set(std::string_view key, std::string_view value, const EntryOptions& options);
  bool erase(std::string_view key);
  PurgeResult purge(const PurgeSelector& selector, PurgeMode mode);
  void purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence, Cache::PurgeDone done);
  void clear();

  LookupResult lookup(std::string_view key, WaitCallback on_wait);
  EntryRef fill(Ticket&& ticket, std::string_view value, const EntryOptions& options);
  FlightResult fail(Ticket&& ticket, Error error);
  bool cancel_wait(std::string_view key, std::uint64_t wait_id);

  ChangeCounts change_counts() const { return {change_counts_, shards_.size()}; }
  void record_hits(std::span<const std::uint64_t> sample, std::uint32_t weight, std::uint64_t hits);

  Stats stats() const;
  const CacheOptions& options() const noexcept { return options_; }
  void run_maintenance();
  void add_listener(std::shared_ptr<CacheListener> listener);
  void remove_listener(const std::shared_ptr<CacheListener>& listener);

 private:
  using Listeners = std::vector<std::shared_ptr<CacheListener>>;

  std::int64_t now() const noexcept { return clock_->now_ms(); }
  // The top bits pick the shard; the hash tables inside use the low bits.
  std::uint32_t shard_index(std::uint64_t hash) const noexcept {
    return static_cast<std::uint32_t>((hash >> 40) & shard_mask_);
  }
  Shard& shard_for(std::uint64_t hash) const noexcept { return *shards_[shard_index(hash)]; }
  // The stamp of a key's shard, read before looking (acquire: pairs with Shard::changed()).
  ChangeStamp stamp_of(std::uint64_t hash) const noexcept {
    const std::uint32_t i = shard_index(hash);
    return {i, change_counts_[i].load(std::memory_order_acquire), hash};
  }

  Windows windows_for(const EntryOptions& options, std::int64_t now) const;
  Entry* make_entry(std::string_view key, std::string_view value, const EntryOptions& options,
                    std::int64_t now) const;
  // Finds a live entry (removing it if it is past its last window).
  Entry* find_live(Shard& shard, std::string_view key, std::uint64_t hash, std::int64_t now,
                   Deferred& out);
  void lookup_slow(Shard& shard, Entry* e, std::string_view key, std::uint64_t hash,
                   std::int64_t now, WaitCallback on_wait, LookupResult& r, Deferred& out);
  Ticket open_flight(Shard& shard, std::string_view key, bool revalidation, EntryRef previous,
                     std::int64_t now);
  // Applies the soft, hard and lock timeouts to a flight; true when the flight must be dropped.
  bool settle_deadlines(Flight& flight, std::int64_t now, Deferred& out);
  static void invalidate_flights(Shard& shard, const PurgeSelector& selector, PurgeMode mode);
  // The memory tier's part of a purge (also what other processes' purges apply); tells listeners.
  PurgeResult purge_memory(const PurgeSelector& selector, PurgeMode mode);

  // --- the replica tier
  struct ActivePurge {
    std::uint64_t id;
    PurgeSelector selector;
    PurgeMode mode;
  };
  class PurgeRegistration;
  // The strongest mode among purges in progress that cover `e` (nothing when none does).
  std::optional<PurgeMode> purge_in_progress(const Entry& e) const;
  void start_reads(Deferred& out);
  // Ends a read-through flight with the replica's answer (on a reader thread, no lock held).
  void on_replica_read(const std::string& key, std::uint64_t flight_id, ReplicaRead read);
  void replica_write(const Entry& e) noexcept;
  void replica_erase(std::string_view key) noexcept;
  void finish(Deferred& out);
  std::shared_ptr<const Listeners> listeners() const;

  CacheOptions options_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<std::atomic<std::uint32_t>[]> change_counts_;  // one per shard
  std::vector<std::unique_ptr<Shard>> shards_;
  std::uint64_t shard_mask_ = 0;
  std::atomic<std::uint64_t> next_flight_id_{1};
  std::atomic<std::uint64_t> recorded_hits_{0};  // record_hits(): not in any shard's counters
  struct SampledHit {
    std::uint64_t key_hash;
    std::uint32_t weight;
  };
  std::mutex sampled_hits_mu_;  // a leaf lock: never held with a shard lock
  std::vector<SampledHit> sampled_hits_;
  // Feeds queued sampled hits to the shards' policies (maintenance; record_hits without it).
  void apply_sampled_hits();

  mutable std::mutex listeners_mu_;
  std::shared_ptr<const Listeners> listeners_;
  std::atomic<bool> has_listeners_{false};

  struct Janitor;
  std::shared_ptr<Janitor> janitor_;

  std::shared_ptr<ReplicaStore> replica_;  // = options_.replica
  mutable std::mutex active_mu_;
  std::vector<ActivePurge> active_purges_;
  std::atomic<std::uint32_t> active_count_{0};
  std::atomic<std::uint64_t> replica_reads_{0}, replica_hits_{0}, promotions_{0};
};

}  // namespace zcache::detail
