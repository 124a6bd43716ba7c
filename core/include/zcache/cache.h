// zcache/cache.h — the in-process cache engine.
//
// A Cache is a cheap, copyable handle to one engine. Every method is thread-safe and may be
// called from any thread. The engine is byte-budgeted (keys, values, tags and per-entry overhead
// are all charged), evicts with W-TinyLFU, expires entries by a timer wheel, and implements the
// stale-while-revalidate protocol with single-flight fills. See docs/ARCHITECTURE.md.
//
// Lifetimes: values are handed out as EntryRef, which keeps the bytes alive after the entry is
// evicted or replaced; no copy is made on a hit. Callbacks (waiters, listeners) are never called
// with an engine lock held, so they may call back into the cache.
//
// Errors: methods throw zcache::Error (kind InvalidArgument for bad keys or options); nothing else
// escapes. An engine lives while any handle (or ticket) to it does; bindings implement close() by
// dropping their handle.
//
// Replica tier: with CacheOptions::replica (or replica_options) set, a ReplicaStore
// (zcache/replica.h) sits beneath the memory tier. set/fill/erase/purge reach both tiers (the
// file's writes are queued, never waited for); lookup() reads through on a memory miss,
// asynchronously, as the key's flight leader (see "The SWR protocol"). get() and contains() look
// at memory only. A memory hit costs nothing extra.
#pragma once

#include <zcache/clock.h>
#include <zcache/entry.h>
#include <zcache/error.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace zcache {

namespace detail {
class CacheImpl;
}
class ReplicaStore;  // zcache/replica.h

// ---------------------------------------------------------------------------------------------
// Options

// The options of a ReplicaStore (zcache/replica.h): here because CacheOptions::replica_options
// holds one.
struct ReplicaOptions {
  std::string path;                        // the database file; created if missing
  // The byte budget: the sum over entries of key + value + tag bytes + kReplicaRowOverhead
  // (+ kReplicaTagOverhead per tag). Eviction keeps it; the file is somewhat larger (pages,
  // indexes) and does not shrink (freed pages are reused).
  std::uint64_t max_bytes = 1ull << 30;
  // Queued writes (key + value + tag bytes) beyond this are dropped; see write().
  std::uint64_t max_queue_bytes = 64ull << 20;
  std::uint32_t readers = 1;               // reader threads (and read connections)
  // After answering a read, one idle reader spins this long (µs) watching for the next request
  // before it sleeps. Waking a sleeping thread costs ~10-20 µs on a VM, more than a read from
  // the page cache; the spin costs at most this much CPU per read, none while no reads come.
  // 0 = sleep at once. At most 10'000.
  std::uint32_t reader_spin_us = 50;
  // A reader keeps its read transaction (its snapshot of the file) across back-to-back reads
  // for up to this long (µs) instead of one per read: ~2 µs off each disk hit while reads
  // stream. Writes and purges of this store are seen at once regardless; those of other
  // processes (or other stores on the file) at most this long after they commit. A snapshot
  // ends when its reader goes to sleep. 0 = a new snapshot for every read. At most 1'000'000.
  std::uint32_t snapshot_reuse_us = 1000;
  std::int64_t poll_interval_ms = 100;     // purges of other processes; 0 = no poller thread
  // A disk hit moves the entry's last_access (its LRU position) only when that is older than
  // this, so hot keys are not rewritten on every read.
  std::int64_t touch_granularity_ms = 10'000;
  // Rows past their last window are deleted this often (the writer wakes for it when idle), at
  // most 1000 per transaction; stats().expirations counts them. 0 = never: they then go only
  // when the budget needs room (before any live row).
  std::int64_t sweep_interval_ms = 60'000;
  int busy_timeout_ms = 5'000;             // waiting for another process's write transaction
  bool synchronous_full = false;           // fsync every commit (survives power loss)
  // When the file is unreadable, not ours, or of a newer schema: move it (and its -wal) aside to
  // "<path>.unreadable-<ms>" and start an empty one, instead of throwing Corrupt.
  bool rebuild_if_unreadable = false;
  std::uint32_t purge_log_limit = 10'000;  // purge_log rows kept (newest)
  std::shared_ptr<Clock> clock;            // null = system_clock(); windows are in its ms (options() names the clock in use)
};

struct CacheOptions {
  std::uint64_t max_bytes = 256ull << 20;  // the byte budget; never exceeded
  std::uint32_t shards = 0;                // power of two; 0 picks one from max_bytes
  std::int64_t default_ttl_ms = 60'000;    // fresh for 60 s (seed 003)
  std::int64_t default_stale_ms = 600'000; // then servable while revalidating for 10 min
  std::int64_t default_stale_if_error_ms = 0;
  double ttl_jitter = 0.0;                 // [0, 1): fresh time is shortened by up to this fraction
  std::int64_t lock_timeout_ms = 10'000;   // waiters stop waiting for a silent leader (seed 004)
  std::int64_t soft_timeout_ms = 0;        // 0 = off; past it waiters get a servable old value
  std::int64_t hard_timeout_ms = 0;        // 0 = off; past it waiters get a Timeout error
  std::shared_ptr<Clock> clock;            // null = system_clock()
  // A background thread that reclaims expired entries and times out silent fills. Only runs
  // with a real clock; with a ManualClock call Cache::run_maintenance().
  bool background_maintenance = true;
  // The SQLite tier beneath this one (null = memory only). The engine shares ownership and keeps
  // it open while it lives; one store serves one cache (the engine installs the store's purge
  // listener, so purges of other processes reach this memory tier). Windows are absolute ms on
  // the cache's clock, so the store must run on the same clock object (or both on real clocks):
  // InvalidArgument otherwise. Tests give both the same ManualClock. After construction,
  // Cache::options().replica is the engine's store however it was opened.
  std::shared_ptr<ReplicaStore> replica;
  // Or let the engine open the store itself, when it is created (by the constructor, or by
  // Cache::shared for a new name): on the calling thread, blocking (a few ms). The path is made
  // absolute (against the current directory) and lexically normal first; that is the path the
  // store opens and the one Cache::shared compares. An empty clock becomes the cache's clock
  // object; another clock is InvalidArgument (unless both are real). Giving both `replica` and
  // `replica_options` is InvalidArgument. Opening errors propagate: Corrupt / Io /
  // InvalidArgument, each naming the file. Cache::options() then reports both the store (in
  // `replica`) and these options as used (normalized path, the clock).
  std::optional<ReplicaOptions> replica_options;
};

// Per-write options. Unset durations take the cache's defaults.
struct EntryOptions {
  std::optional<std::int64_t> ttl_ms;
  std::optional<std::int64_t> stale_ms;
  std::optional<std::int64_t> stale_if_error_ms;
  std::vector<std::string> tags;
  std::uint8_t encoding = 0;  // opaque to the core; the SDKs use it to round-trip their types
};

// Limits on what the engine accepts (InvalidArgument beyond them).
inline constexpr std::size_t kMaxKeyBytes = 64 * 1024 - 1;
inline constexpr std::size_t kMaxTags = 64;
inline constexpr std::size_t kMaxTagBytes = 512;

// ---------------------------------------------------------------------------------------------
// Results

// The outcome of one call, as reported to users (seed 003's vega-cache values).
enum class Outcome : std::uint8_t { Hit, Stale, Miss, Bypass };
std::string_view outcome_name(Outcome o) noexcept;  // "hit", "stale", "miss", "bypass"

// Where a returned entry stands in the engine's change counts (Cache::change_counts): its key's
// shard, and that shard's count read before the call looked. While the count still equals
// `count`, the entry is still its key's current entry, with the same windows.
struct ChangeStamp {
  std::uint32_t shard = 0;
  std::uint32_t count = 0;
  std::uint64_t key_hash = 0;  // the key's hash, for record_hits()
};

// The change counters of an engine's shards (Cache::change_counts), shared so that a binding can
// keep them — not the engine — alive while a JS buffer views them.
struct ChangeCounts {
  std::shared_ptr<const std::atomic<std::uint32_t>[]> counts;
  std::size_t size = 0;
  std::uint32_t load(std::uint32_t shard) const noexcept { return counts[shard].load(std::memory_order_acquire); }
};

struct GetResult {
  EntryRef value;      // empty when absent or past its stale window
  bool stale = false;  // present but past its fresh time
  ChangeStamp stamp;
};

// Selects entries to purge: the union of every selector given.
struct PurgeSelector {
  std::vector<std::string> keys;
  std::optional<std::string> prefix;
  std::vector<std::string> tags;
  bool empty() const noexcept { return keys.empty() && !prefix && tags.empty(); }
};

enum class PurgeMode : std::uint8_t {
  Hard,  // remove the entries
  Soft,  // mark them stale: readers get the old value while exactly one revalidation runs
};

struct PurgeResult {
  std::uint64_t objects_purged = 0;
  std::uint64_t bytes_freed = 0;  // charged bytes (soft purges free nothing)
};

struct Stats {
  std::uint64_t hits = 0, stale_hits = 0, misses = 0, fills = 0, sets = 0;
  std::uint64_t evictions = 0, expirations = 0, purged = 0, rejected = 0;
  std::uint64_t bytes = 0, entries = 0, max_bytes = 0;
  // The replica tier (0 without one): read-throughs started, those that found a servable value,
  // and entries copied from the file into memory. The store's own figures: ReplicaStore::stats().
  std::uint64_t replica_reads = 0, replica_hits = 0, promotions = 0;
};

// ---------------------------------------------------------------------------------------------
// The SWR protocol
//
//   lookup(key) → Fresh  : serve value.
//              → Stale  : serve value; if `ticket` is set this caller revalidates (exactly one does).
//              → Miss   : this caller holds the fill ticket; it must fill() or fail() it.
//              → Wait   : another caller is filling; `on_wait` will be called once with the result.
//
// Read-through (with a replica): on a memory miss, lookup() does not hand out a Miss ticket.
// It opens the key's flight with the replica read as its leader, makes the caller its first
// waiter and answers Wait. When the read ends (on a replica reader thread):
//   - a servable value is copied into memory (unless a purge or newer write happened meanwhile)
//     and every waiter gets Status::Value with Outcome::Hit (fresh) or Outcome::Stale (past its
//     fresh time; then exactly one waiter also gets a revalidation `ticket`);
//   - nothing servable (absent, expired, purged meanwhile, read error): ONE waiter gets
//     Status::Lead with the fill `ticket` (it must fill() or fail() it; its outcome is Miss) and
//     the others keep waiting on the same flight, now led by that caller; with no waiter left
//     the flight ends.
// The flight's deadlines (lock, soft, hard timeout) run from the lookup that opened it and
// restart when a caller takes the lead. A lookup with an empty `on_wait` cannot wait: it gets
// Miss and the ticket as without a replica.
//
// A Ticket is move-only. Dropping it unused fails it with ErrorKind::Cancelled. A purge or a newer
// write that happens while a ticket is out wins: fill() still hands the value to the waiters but
// does not store it (after a soft purge it is stored as already stale). The same goes for the
// replica: a fill that lost to a purge or a newer write leaves no copy in the file (it queues an
// erase of the key, which may also drop the newer write's copy there: a later miss, never a
// wrong value). A fill too large for memory is still written to the file (its own budget).

class Ticket {
 public:
  Ticket() = default;
  Ticket(Ticket&&) noexcept;
  Ticket& operator=(Ticket&&) noexcept;
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;
  ~Ticket();

  explicit operator bool() const noexcept { return impl_ != nullptr; }
  const std::string& key() const noexcept { return key_; }
  bool revalidation() const noexcept { return revalidation_; }

 private:
  friend class detail::CacheImpl;
  std::shared_ptr<detail::CacheImpl> impl_;
  std::string key_;
  std::uint64_t flight_id_ = 0;
  bool revalidation_ = false;
};

// What a waiter (or a failing leader) receives.
struct FlightResult {
  enum class Status : std::uint8_t {
    Value,        // `value` holds the result; `outcome` is Miss (filled) or Stale (old value served)
    Error,        // `error` holds why: the leader's error, Timeout, or Cancelled
    LockTimeout,  // the leader was silent for lock_timeout_ms: fetch yourself (seed 004)
    Lead,         // read-through found nothing servable: `ticket` is yours to fill() or fail()
  };
  Status status = Status::Value;
  // Value: Miss (filled by a leader), Hit or Stale (read through from the replica; Stale also
  // for an old value served on error or at the soft timeout). Lead: Miss.
  Outcome outcome = Outcome::Miss;
  EntryRef value;
  std::optional<Error> error;
  // Lead: the fill ticket. Value with Outcome::Stale from a read-through: the revalidation ticket
  // for exactly one waiter (empty for the others). Dropping it unused fails its flight.
  Ticket ticket;
};

// Called exactly once (unless withdrawn by Cache::cancel_wait), on whichever thread completes the
// flight — possibly the engine's maintenance thread or a replica reader thread — with no engine
// lock held. Every flight ends (fill, fail, dropped ticket, or a timeout), so no callback is left
// pending forever. A ticket received here may be filled or failed from any thread.
using WaitCallback = std::function<void(FlightResult)>;

struct LookupResult {
  enum class State : std::uint8_t { Fresh, Stale, Miss, Wait };
  State state = State::Miss;
  EntryRef value;  // Fresh, Stale
  Ticket ticket;   // Miss (always), Stale (for the one revalidating caller)
  std::uint64_t wait_id = 0;  // Wait: identifies the waiter for cancel_wait()
  ChangeStamp stamp;          // Fresh, Stale
};

// ---------------------------------------------------------------------------------------------
// Listeners (the replica tier and metrics): called after the change, with no engine lock held,
// on the thread that made the change. They must not throw.

// Why an entry left the cache. Purged entries are reported one by one and then as one on_purge.
enum class RemovalCause : std::uint8_t { Evicted, Expired, Deleted, Replaced, Purged, Cleared };

class CacheListener {
 public:
  virtual ~CacheListener() = default;
  virtual void on_removal(const EntryRef& entry, RemovalCause cause) { (void)entry, (void)cause; }
  virtual void on_purge(const PurgeSelector& selector, PurgeMode mode, const PurgeResult& result) {
    (void)selector, (void)mode, (void)result;
  }
};

// ---------------------------------------------------------------------------------------------

class Cache {
 public:
  // A new private engine. Throws InvalidArgument naming a bad option.
  explicit Cache(CacheOptions options = {});
  // The engine registered under `name` in this process, created with `options` if it does not
  // exist yet. Every thread asking for the same name gets the same engine. Asking again with a
  // different max_bytes throws Conflict. The engine lives while any handle to it does.
  //
  // Replica: only the call that creates the engine opens options.replica_options (under the
  // registry's lock, so two threads never both open it; other shared() calls wait meanwhile).
  // A later call never opens a file: with replica_options naming the engine's file (compared as
  // absolute, lexically normal paths) it joins, the other replica fields ignored; naming another
  // file, or any file when the engine has none, throws Conflict naming both. A call without
  // replica_options joins whatever the engine has (a `replica` store given then is not used).
  static Cache shared(std::string_view name, CacheOptions options = {});

  // --- plain operations
  // get() and contains() look at memory only (never wait on the replica); lookup() reads through.
  GetResult get(std::string_view key);
  bool contains(std::string_view key);  // present and servable (fresh or stale); no stats
  // Whether `entry` is still the entry stored for its key: not replaced, deleted, purged,
  // evicted or reclaimed. No stats. (A binding holding entries learns of the removals that
  // happen after this answer through a listener's on_removal.)
  bool is_resident(const EntryRef& entry);
  // Stores a value; false when it is larger than the cache can hold (it is then not stored).
  bool set(std::string_view key, std::string_view value, const EntryOptions& options = {});
  // set() and erase() also queue the write/erase to the replica (a set too large for memory
  // still goes to the file, which has its own budget).
  bool erase(std::string_view key);  // true when something was removed from memory
  // Purges memory now and queues the replica purge; returns the memory tier's counts.
  PurgeResult purge(const PurgeSelector& selector, PurgeMode mode = PurgeMode::Hard);
  // The same, recording `cluster_sequence` (> 0) with the replica purge, and calling `done` once
  // with one set of counts for both tiers once the file committed: on the replica's writer
  // thread, or on the calling thread (before purge returns) when there is no replica or the file
  // committed first. objects_purged is max(memory, file) — the file holds every entry memory does
  // unless its write was dropped, so an object in both counts once; bytes_freed is the sum of
  // both tiers' freed bytes. `error`: the replica purge failed (memory was purged; counts are
  // memory's) or the store is closed. `done` must not throw.
  using PurgeDone = std::function<void(PurgeResult, std::optional<Error>)>;
  void purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence, PurgeDone done);
  void clear();  // memory only: the replica keeps its entries (they are read through again)

  // --- stale-while-revalidate
  LookupResult lookup(std::string_view key, WaitCallback on_wait);
  // Ends a flight with a value: wakes the waiters and returns the entry for the leader to serve.
  EntryRef fill(Ticket&& ticket, std::string_view value, const EntryOptions& options = {});
  // Ends a flight with an error: within the old entry's stale-if-error window everyone gets the
  // old value (Status::Value, Outcome::Stale); otherwise everyone gets `error`. Returns what the
  // leader should deliver. A failed revalidation leaves the stale entry in place.
  FlightResult fail(Ticket&& ticket, Error error);
  // Withdraws a waiter (its caller was cancelled): the callback is destroyed without being called
  // and the other waiters are not disturbed. False when the flight already ended for it — then
  // the callback has run or is about to run.
  bool cancel_wait(std::string_view key, std::uint64_t wait_id);

  // --- answering hits without the engine (for bindings)
  // One counter per shard, bumped after every change to one of its entries (added, replaced,
  // removed — evictions and expiries included — or its windows moved). A binding that kept the
  // value it decoded from a Fresh result with stamp S may serve it again, without calling the
  // engine, while change_counts()[S.shard] == S.count and the clock is before the entry's
  // fresh_until — then it must report those hits through record_hits(). Read with acquire.
  ChangeCounts change_counts() const;
  // Hits served that way, reported in a batch: `hits` of them (counted in stats().hits at once),
  // of which `sample` (their stamps' key hashes) is a uniform sample, each standing for `weight`
  // hits in the eviction policy (frequency counted `weight` times, recency moved once). Feeding
  // the policy costs a few cache misses per entry, more than the hit itself, so the sample is
  // queued and applied by the maintenance thread (at once when there is none: a ManualClock or
  // background_maintenance off); a full queue drops what does not fit (the policy is a
  // heuristic; counts are never dropped). Keys no longer resident are skipped.
  void record_hits(std::span<const std::uint64_t> sample, std::uint32_t weight, std::uint64_t hits);

  // --- introspection and upkeep
  Stats stats() const;
  const CacheOptions& options() const noexcept;
  // Reclaims expired entries and times out silent flights now. The background thread calls this;
  // tests with a ManualClock call it after moving the clock.
  void run_maintenance();
  void add_listener(std::shared_ptr<CacheListener> listener);
  void remove_listener(const std::shared_ptr<CacheListener>& listener);

  // The identity of the engine (equal for handles to the same engine).
  const void* id() const noexcept { return impl_.get(); }

 private:
  explicit Cache(std::shared_ptr<detail::CacheImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<detail::CacheImpl> impl_;
};

}  // namespace zcache
