// The engine behind a Cache handle. See cache.h for the contract and docs/ARCHITECTURE.md for
// the design.
//
// Locking: each shard's mutex guards that shard; no code path holds two shard locks, so there is
// no lock order to get wrong. `listeners_mu_` is a leaf lock (never held while calling out).
// Callbacks and listeners run after the shard lock is released (see Deferred).
#pragma once

#include "cache/deferred.h"
#include "cache/shard.h"

#include <zcache/cache.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
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

  GetResult get(std::string_view key);
  bool contains(std::string_view key);
  bool set(std::string_view key, std::string_view value, const EntryOptions& options);
  bool erase(std::string_view key);
  PurgeResult purge(const PurgeSelector& selector, PurgeMode mode);
  void clear();

  LookupResult lookup(std::string_view key, WaitCallback on_wait);
  EntryRef fill(Ticket&& ticket, std::string_view value, const EntryOptions& options);
  FlightResult fail(Ticket&& ticket, Error error);
  bool cancel_wait(std::string_view key, std::uint64_t wait_id);

  Stats stats() const;
  const CacheOptions& options() const noexcept { return options_; }
  void run_maintenance();
  void add_listener(std::shared_ptr<CacheListener> listener);
  void remove_listener(const std::shared_ptr<CacheListener>& listener);

 private:
  using Listeners = std::vector<std::shared_ptr<CacheListener>>;

  std::int64_t now() const noexcept { return clock_->now_ms(); }
  // The top bits pick the shard; the hash tables inside use the low bits.
  Shard& shard_for(std::uint64_t hash) const noexcept { return *shards_[(hash >> 40) & shard_mask_]; }

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
  void finish(Deferred& out);
  std::shared_ptr<const Listeners> listeners() const;

  CacheOptions options_;
  std::shared_ptr<Clock> clock_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::uint64_t shard_mask_ = 0;
  std::atomic<std::uint64_t> next_flight_id_{1};

  mutable std::mutex listeners_mu_;
  std::shared_ptr<const Listeners> listeners_;
  std::atomic<bool> has_listeners_{false};

  struct Janitor;
  std::shared_ptr<Janitor> janitor_;
};

}  // namespace zcache::detail
