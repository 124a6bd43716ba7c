#include "cache/cache_impl.h"

#include "cache/validate.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <limits>
#include <random>

namespace zcache::detail {
namespace {

constexpr std::uint64_t kMinShardBytes = 4ull << 20;
constexpr std::uint32_t kMaxAutoShards = 64;
constexpr std::uint32_t kMaxShards = 1024;
constexpr auto kMaintenanceTick = std::chrono::milliseconds(100);
// Sampled hits queued between two maintenance passes, at most (16 B each).
constexpr std::size_t kMaxSampledHits = 1 << 16;

std::int64_t add_sat(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r;
  return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<std::int64_t>::max() : r;
}

double unit_random() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::uint32_t pick_shards(const CacheOptions& o) {
  if (o.shards != 0) return o.shards;
  const std::uint64_t by_size = std::max<std::uint64_t>(1, o.max_bytes / kMinShardBytes);
  return static_cast<std::uint32_t>(std::bit_floor(std::min<std::uint64_t>(by_size, kMaxAutoShards)));
}

void validate_options(const CacheOptions& o) {
  if (o.max_bytes == 0) throw Error(ErrorKind::InvalidArgument, "max_bytes must be greater than 0");
  if (o.shards != 0 && (!std::has_single_bit(o.shards) || o.shards > kMaxShards))
    throw Error(ErrorKind::InvalidArgument, "shards must be a power of two between 1 and 1024 (or 0 for automatic)");
  validate_duration("default_ttl_ms", o.default_ttl_ms);
  validate_duration("default_stale_ms", o.default_stale_ms);
  validate_duration("default_stale_if_error_ms", o.default_stale_if_error_ms);
  validate_duration("lock_timeout_ms", o.lock_timeout_ms);
  validate_duration("soft_timeout_ms", o.soft_timeout_ms);
  validate_duration("hard_timeout_ms", o.hard_timeout_ms);
  if (!(o.ttl_jitter >= 0.0 && o.ttl_jitter < 1.0))
    throw Error(ErrorKind::InvalidArgument, "ttl_jitter must be in [0, 1)");
  if (o.lock_timeout_ms == 0) throw Error(ErrorKind::InvalidArgument, "lock_timeout_ms must be greater than 0");
}

bool same_clock(const std::shared_ptr<Clock>& a, const std::shared_ptr<Clock>& b) {
  return a == b || (a->is_real() && b->is_real());
}

// CacheOptions::replica_options: opens the store on the cache's clock (see cache.h) and installs
// it as options.replica, keeping the normalized options.
void open_replica(CacheOptions& o, const std::shared_ptr<Clock>& cache_clock) {
  if (!o.replica_options) return;
  if (o.replica)
    throw Error(ErrorKind::InvalidArgument, "replica and replica_options are exclusive: give the store or its options");
  ReplicaOptions& r = *o.replica_options;
  r.path = normal_replica_path(r.path);
  if (!r.clock) r.clock = cache_clock;
  if (!same_clock(r.clock, cache_clock))
    throw Error(ErrorKind::InvalidArgument, "replica '" + r.path +
                                                "': the store's clock must be the cache's clock (windows are absolute times on it)");
  try {
    o.replica = std::make_shared<ReplicaStore>(r);
  } catch (const Error& e) {
    if (std::string_view(e.what()).find(r.path) != std::string_view::npos) throw;
    throw Error(e.kind(), "replica '" + r.path + "': " + e.what());  // every opening error names the file
  }
}

void validate_replica_clock(const CacheOptions& o, const std::shared_ptr<Clock>& cache_clock) {
  if (!o.replica) return;
  const std::shared_ptr<Clock>& store_clock = o.replica->clock();
  if (!same_clock(store_clock, cache_clock))
    throw Error(ErrorKind::InvalidArgument,
                "replica: the store's clock must be the cache's clock (windows are absolute times on it)");
}

FlightResult value_result(EntryRef value, Outcome outcome) {
  FlightResult r;
  r.status = FlightResult::Status::Value;
  r.outcome = outcome;
  r.value = std::move(value);
  return r;
}

FlightResult error_result(Error error) {
  FlightResult r;
  r.status = FlightResult::Status::Error;
  r.outcome = Outcome::Miss;
  r.error = std::move(error);
  return r;
}

// A result for one more waiter (a FlightResult is move-only because of its ticket, never shared).
FlightResult copy_result(const FlightResult& r) {
  FlightResult c;
  c.status = r.status;
  c.outcome = r.outcome;
  c.value = r.value;
  c.error = r.error;
  return c;
}

// Whether a purge selector covers an entry (the engine's rule: any key, the prefix, any tag).
bool covers(const PurgeSelector& sel, const Entry& e) {
  const std::string_view key = e.key();
  if (sel.prefix && key.starts_with(*sel.prefix)) return true;
  for (const auto& k : sel.keys)
    if (k == key) return true;
  bool hit = false;
  if (!sel.tags.empty())
    e.for_each_tag([&](std::string_view own) {
      for (const auto& t : sel.tags) hit = hit || t == own;
    });
  return hit;
}

void strongest(std::optional<PurgeMode>& into, PurgeMode mode) {
  if (!into || mode == PurgeMode::Hard) into = mode;
}

// Set while the engine runs a callback on one of the replica store's threads: the engine's last
// reference may go there, and a store must not be closed on its own thread (see ~CacheImpl).
thread_local int t_replica_callbacks = 0;
struct ReplicaCallbackScope {
  ReplicaCallbackScope() noexcept { ++t_replica_callbacks; }
  ~ReplicaCallbackScope() { --t_replica_callbacks; }
  ReplicaCallbackScope(const ReplicaCallbackScope&) = delete;
  ReplicaCallbackScope& operator=(const ReplicaCallbackScope&) = delete;
};

}  // namespace

// The background thread holds only a weak reference, so it never keeps a cache alive; the last
// handle's destructor stops and joins it (or detaches it, when that destructor runs on the
// thread itself, inside a callback).
struct CacheImpl::Janitor {
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread thread;
};

CacheImpl::CacheImpl(CacheOptions options) : options_(std::move(options)) {
  validate_options(options_);
  clock_ = options_.clock ? options_.clock : system_clock();
  options_.clock = clock_;  // options() tells which clock is in use
  open_replica(options_, clock_);
  validate_replica_clock(options_, clock_);
  replica_ = options_.replica;
  const std::uint32_t n = pick_shards(options_);
  options_.shards = n;
  shard_mask_ = n - 1;
  const std::int64_t t = now();
  change_counts_.reset(new std::atomic<std::uint32_t>[n]());
  shards_.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i)
    shards_.push_back(std::make_unique<Shard>(options_.max_bytes / n, t, change_counts_[i]));
  listeners_ = std::make_shared<const Listeners>();
}

CacheImpl::~CacheImpl() {
  if (replica_) {
    try {
      replica_->set_purge_listener({});
    } catch (...) {
    }
    if (t_replica_callbacks > 0) {
      // The last reference went inside a store callback: closing the store here would wait for
      // this very thread. Let another thread drop the engine's references.
      auto* held = new std::shared_ptr<ReplicaStore>[2]{std::move(replica_), std::move(options_.replica)};
      try {
        std::thread([held] { delete[] held; }).detach();
      } catch (...) {
        // No thread to be had: keep the store open rather than deadlock.
      }
    }
  }
  if (!janitor_) return;
  {
    std::lock_guard lock(janitor_->mu);
    janitor_->stop = true;
  }
  janitor_->cv.notify_all();
  if (janitor_->thread.get_id() == std::this_thread::get_id()) {
    janitor_->thread.detach();
  } else {
    janitor_->thread.join();
  }
}

void CacheImpl::start_maintenance() {
  if (!options_.background_maintenance || !clock_->is_real()) return;
  janitor_ = std::make_shared<Janitor>();
  janitor_->thread = std::thread([janitor = janitor_, weak = weak_from_this()] {
    std::unique_lock lock(janitor->mu);
    while (!janitor->cv.wait_for(lock, kMaintenanceTick, [&] { return janitor->stop; })) {
      lock.unlock();
      if (auto self = weak.lock()) self->run_maintenance();
      lock.lock();
    }
  });
}

void CacheImpl::attach_replica() {
  if (!replica_) return;
  // Other processes' purges: memory only (the file already has them).
  replica_->set_purge_listener([weak = weak_from_this()](const ReplicaPurgeEvent& event) {
    ReplicaCallbackScope scope;
    if (auto self = weak.lock()) self->purge_memory(event.selector, event.mode);
  });
}

// ---------------------------------------------------------------------------------------------

Windows CacheImpl::windows_for(const EntryOptions& o, std::int64_t t) const {
  std::int64_t ttl = o.ttl_ms.value_or(options_.default_ttl_ms);
  const std::int64_t stale = o.stale_ms.value_or(options_.default_stale_ms);
  const std::int64_t on_error = o.stale_if_error_ms.value_or(options_.default_stale_if_error_ms);
  validate_duration("ttl_ms", ttl);
  validate_duration("stale_ms", stale);
  validate_duration("stale_if_error_ms", on_error);
  if (options_.ttl_jitter > 0 && ttl > 0)
    ttl -= static_cast<std::int64_t>(static_cast<double>(ttl) * options_.ttl_jitter * unit_random());
  const std::int64_t fresh = add_sat(t, ttl);
  return Windows{fresh, add_sat(fresh, stale), add_sat(fresh, on_error)};
}

Entry* CacheImpl::make_entry(std::string_view key, std::string_view value, const EntryOptions& o,
                             std::int64_t t) const {
  validate_key(key);
  validate_tags(o.tags);
  validate_value(value);
  return Entry::create(key, value, o.encoding, o.tags, windows_for(o, t));
}

Entry* CacheImpl::find_live(Shard& shard, std::string_view key, std::uint64_t hash,
                            std::int64_t t, Deferred& out) {
  shard.advance_time(t, out);
  Entry* e = shard.find(key, hash);
  if (e && t >= e->reclaim_at()) {
    ++shard.counters.expirations;
    shard.remove(e, RemovalCause::Expired, out);
    return nullptr;
  }
  return e;
}

void CacheImpl::finish(Deferred& out) {
  if (has_listeners_.load(std::memory_order_acquire) && !out.removals.empty()) {
    auto ls = listeners();
    for (auto& [entry, cause] : out.removals)
      for (auto& l : *ls) l->on_removal(entry, cause);
  }
  for (auto& [cb, result] : out.wakeups) {
    try {
      if (cb) cb(std::move(result));
    } catch (...) {
      // A waiter must not throw; one that does cannot be allowed to unwind through the engine.
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Plain operations

GetResult CacheImpl::get(std::string_view key) {
  validate_key(key);
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  const std::int64_t t = now();
  Deferred out;
  GetResult r;
  r.stamp = stamp_of(h);
  {
    std::lock_guard lock(shard.mu);
    Entry* e = find_live(shard, key, h, t, out);
    if (e && t < e->stale_until) {
      shard.touch(*e, h);
      r.stale = t >= e->fresh();
      ++(r.stale ? shard.counters.stale_hits : shard.counters.hits);
      retain(e);
      r.value = EntryRef(e);
    } else {
      ++shard.counters.misses;
    }
  }
  if (!out.removals.empty()) finish(out);
  return r;
}

bool CacheImpl::contains(std::string_view key) {
  validate_key(key);
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  const std::int64_t t = now();
  std::lock_guard lock(shard.mu);
  Entry* e = shard.find(key, h);
  return e && t < e->stale_until;
}

bool CacheImpl::is_resident(const EntryRef& entry) {
  if (!entry) return false;
  const std::string_view key = entry.key();
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  std::lock_guard lock(shard.mu);
  return shard.find(key, h) == entry.get();
}

bool CacheImpl::set(std::string_view key, std::string_view value, const EntryOptions& options) {
  const std::int64_t t = now();
  Entry* e = make_entry(key, value, options, t);  // allocation and copy outside the lock
  if (replica_) replica_write(*e);                // first: see "The replica" in cache_impl.h
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  Deferred out;
  bool stored;
  {
    std::lock_guard lock(shard.mu);
    shard.advance_time(t, out);
    if (auto f = shard.flights.find(key); f != shard.flights.end()) f->second->invalidate(PurgeMode::Hard);
    stored = e->charge() <= shard.budget();
    if (stored) {
      ++shard.counters.sets;
      shard.insert(e, h, out);
    } else {
      // Too large to keep: the old value must not outlive the write that replaced it.
      ++shard.counters.rejected;
      if (Entry* old = shard.find(key, h)) shard.remove(old, RemovalCause::Replaced, out);
    }
  }
  if (!stored) release(e);
  finish(out);
  return stored;
}

bool CacheImpl::erase(std::string_view key) {
  validate_key(key);
  if (replica_) replica_erase(key);
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  Deferred out;
  bool removed = false;
  {
    std::lock_guard lock(shard.mu);
    if (auto f = shard.flights.find(key); f != shard.flights.end()) f->second->invalidate(PurgeMode::Hard);
    if (Entry* e = shard.find(key, h)) {
      shard.remove(e, RemovalCause::Deleted, out);
      removed = true;
    }
  }
  finish(out);
  return removed;
}

void CacheImpl::invalidate_flights(Shard& shard, const PurgeSelector& sel, PurgeMode mode) {
  if (shard.flights.empty()) return;
  for (auto& [key, flight] : shard.flights) {
    if (sel.prefix && std::string_view(key).starts_with(*sel.prefix)) flight->invalidate(mode);
    for (const auto& tag : sel.tags) flight->purged_tags.emplace_back(tag, mode);
  }
  for (const auto& key : sel.keys)
    if (auto f = shard.flights.find(key); f != shard.flights.end()) f->second->invalidate(mode);
}

// A purge in progress, visible to fills and promotions from before its file part is queued until
// its memory part is done.
class CacheImpl::PurgeRegistration {
 public:
  PurgeRegistration(CacheImpl& cache, const PurgeSelector& selector, PurgeMode mode) : cache_(cache) {
    std::lock_guard lock(cache_.active_mu_);
    id_ = cache_.next_flight_id_.fetch_add(1, std::memory_order_relaxed);
    cache_.active_purges_.push_back(ActivePurge{id_, selector, mode});
    cache_.active_count_.fetch_add(1, std::memory_order_release);
  }
  ~PurgeRegistration() {
    std::lock_guard lock(cache_.active_mu_);
    std::erase_if(cache_.active_purges_, [&](const ActivePurge& p) { return p.id == id_; });
    cache_.active_count_.fetch_sub(1, std::memory_order_release);
  }
  PurgeRegistration(const PurgeRegistration&) = delete;
  PurgeRegistration& operator=(const PurgeRegistration&) = delete;

 private:
  CacheImpl& cache_;
  std::uint64_t id_ = 0;
};

std::optional<PurgeMode> CacheImpl::purge_in_progress(const Entry& e) const {
  std::optional<PurgeMode> mode;
  if (active_count_.load(std::memory_order_acquire) == 0) return mode;
  std::lock_guard lock(active_mu_);
  for (const ActivePurge& p : active_purges_)
    if (covers(p.selector, e)) strongest(mode, p.mode);
  return mode;
}

PurgeResult CacheImpl::purge(const PurgeSelector& selector, PurgeMode mode) {
  if (!replica_) return purge_memory(selector, mode);
  validate_selector(selector);
  PurgeRegistration registration(*this, selector, mode);
  try {
    replica_->purge(selector, mode, 0, nullptr);
  } catch (const Error&) {
    // Closed: memory is still purged; the file is no longer this cache's business.
  }
  return purge_memory(selector, mode);
}

void CacheImpl::purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence,
                      Cache::PurgeDone done) {
  validate_selector(selector);
  if (cluster_sequence < 0) throw Error(ErrorKind::InvalidArgument, "cluster_sequence must not be negative");
  if (!replica_) {
    PurgeResult r = purge_memory(selector, mode);
    if (done) done(r, std::nullopt);
    return;
  }
  // The two tiers finish in either order; whichever is last reports.
  struct Join {
    std::mutex mu;
    int pending = 2;
    PurgeResult memory, file;
    std::optional<Error> error;
    Cache::PurgeDone done;
  };
  auto join = std::make_shared<Join>();
  join->done = std::move(done);
  auto arrive = [](Join& j) {
    Cache::PurgeDone report;  // destroyed here, on this thread (it may hold the last handle)
    PurgeResult r;
    std::optional<Error> error;
    {
      std::lock_guard lock(j.mu);
      if (--j.pending > 0) return;
      report = std::move(j.done);
      error = std::move(j.error);
      if (error) {
        r = j.memory;
      } else {
        r.objects_purged = std::max(j.memory.objects_purged, j.file.objects_purged);
        r.bytes_freed = j.memory.bytes_freed + j.file.bytes_freed;
      }
    }
    if (!report) return;
    try {
      report(r, std::move(error));
    } catch (...) {
      // `done` must not throw; it cannot be allowed to unwind through the store's writer.
    }
  };
  {
    PurgeRegistration registration(*this, selector, mode);
    try {
      replica_->purge(selector, mode, cluster_sequence, [join, arrive](ReplicaPurgeDone d) {
        ReplicaCallbackScope scope;
        {
          std::lock_guard lock(join->mu);
          join->file = d.result;
          join->error = std::move(d.error);
        }
        arrive(*join);
      });
    } catch (const Error& e) {
      {
        std::lock_guard lock(join->mu);
        join->error = e;
      }
      arrive(*join);
    }
    PurgeResult memory = purge_memory(selector, mode);
    std::lock_guard lock(join->mu);
    join->memory = memory;
  }
  arrive(*join);
}

PurgeResult CacheImpl::purge_memory(const PurgeSelector& selector, PurgeMode mode) {
  validate_selector(selector);
  const std::int64_t t = now();
  PurgeResult result;
  Deferred out;
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    std::lock_guard lock(shard.mu);
    invalidate_flights(shard, selector, mode);
    absl::flat_hash_set<Entry*> matched;
    for (const auto& key : selector.keys) {
      const std::uint64_t h = hash_key(key);
      if (&shard_for(h) != &shard) continue;
      if (Entry* e = shard.find(key, h)) matched.insert(e);
    }
    if (selector.prefix) shard.for_each_with_prefix(*selector.prefix, [&](Entry* e) { matched.insert(e); });
    for (const auto& tag : selector.tags) shard.for_each_with_tag(tag, [&](Entry* e) { matched.insert(e); });
    for (Entry* e : matched) {
      ++result.objects_purged;
      ++shard.counters.purged;
      if (mode == PurgeMode::Soft && t < e->stale_until) {
        if (t < e->fresh()) {
          e->fresh_until.store(t, std::memory_order_relaxed);
          shard.changed();
        }
      } else {
        result.bytes_freed += e->charge();
        shard.remove(e, RemovalCause::Purged, out);
      }
    }
  }
  finish(out);
  if (has_listeners_.load(std::memory_order_acquire)) {
    auto ls = listeners();  // the snapshot must outlive the loop (a temporary would not)
    for (auto& l : *ls) l->on_purge(selector, mode, result);
  }
  return result;
}

void CacheImpl::clear() {
  Deferred out;
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    std::lock_guard lock(shard.mu);
    for (auto& [key, flight] : shard.flights) flight->invalidate(PurgeMode::Hard);
    shard.remove_all(RemovalCause::Cleared, out);
  }
  finish(out);
}

// ---------------------------------------------------------------------------------------------
// Stale-while-revalidate

Ticket CacheImpl::open_flight(Shard& shard, std::string_view key, bool revalidation,
                              EntryRef previous, std::int64_t t) {
  auto flight = std::make_unique<Flight>();
  flight->id = next_flight_id_.fetch_add(1, std::memory_order_relaxed);
  flight->started_ms = t;
  flight->revalidation = revalidation;
  flight->previous = std::move(previous);
  Ticket ticket;
  ticket.impl_ = shared_from_this();
  ticket.key_ = std::string(key);
  ticket.flight_id_ = flight->id;
  ticket.revalidation_ = revalidation;
  shard.flights.emplace(ticket.key_, std::move(flight));
  return ticket;
}

bool CacheImpl::settle_deadlines(Flight& f, std::int64_t t, Deferred& out) {
  const std::int64_t age = t - f.started_ms;
  if (age >= options_.lock_timeout_ms) {
    for (auto& w : f.waiters) {
      FlightResult r;
      r.status = FlightResult::Status::LockTimeout;
      out.wake(std::move(w.callback), std::move(r));
    }
    f.waiters.clear();
    return true;
  }
  const bool old_value_usable = f.previous && !f.invalidated && t < f.previous.error_until_ms();
  if (options_.soft_timeout_ms > 0 && age >= options_.soft_timeout_ms && old_value_usable) {
    f.soft_fired = true;
    for (auto& w : f.waiters) out.wake(std::move(w.callback), value_result(f.previous, Outcome::Stale));
    f.waiters.clear();
  } else if (options_.hard_timeout_ms > 0 && age >= options_.hard_timeout_ms) {
    f.hard_fired = true;
    for (auto& w : f.waiters)
      out.wake(std::move(w.callback), error_result(Error(ErrorKind::Timeout, "the fetch did not finish within hard_timeout_ms")));
    f.waiters.clear();
  }
  return false;
}

LookupResult CacheImpl::lookup(std::string_view key, WaitCallback on_wait) {
  validate_key(key);
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  const std::int64_t t = now();
  Deferred out;
  LookupResult r;
  r.stamp = stamp_of(h);
  {
    std::lock_guard lock(shard.mu);
    Entry* e = find_live(shard, key, h, t, out);
    if (e && t < e->fresh()) {  // the common case: no flight can matter to a fresh hit
      shard.touch(*e, h);
      ++shard.counters.hits;
      retain(e);
      r.state = LookupResult::State::Fresh;
      r.value = EntryRef(e);
    } else {
      lookup_slow(shard, e, key, h, t, std::move(on_wait), r, out);
    }
  }
  if (!out.reads.empty()) start_reads(out);
  if (!out.removals.empty() || !out.wakeups.empty()) finish(out);
  return r;
}

// lookup() past a fresh hit: stale, miss or wait. Requires shard.mu held.
void CacheImpl::lookup_slow(Shard& shard, Entry* e, std::string_view key, std::uint64_t h,
                            std::int64_t t, WaitCallback on_wait, LookupResult& r, Deferred& out) {
  auto f = shard.flights.end();
  if (!shard.flights.empty()) {
    f = shard.flights.find(key);
    if (f != shard.flights.end() && settle_deadlines(*f->second, t, out)) {
      shard.flights.erase(f);
      f = shard.flights.end();
    }
  }
  if (e && t < e->stale_until) {
    shard.touch(*e, h);
    ++shard.counters.stale_hits;
    retain(e);
    r.state = LookupResult::State::Stale;
    r.value = EntryRef(e);
    if (f == shard.flights.end()) r.ticket = open_flight(shard, key, true, r.value, t);
    return;
  }
  ++shard.counters.misses;
  EntryRef previous;  // in its stale-if-error window
  if (e) {
    retain(e);
    previous = EntryRef(e);
  }
  if (f == shard.flights.end()) {
    if (replica_ && on_wait) {
      // Read through: the replica read leads the flight; this caller is its first waiter.
      auto flight = std::make_unique<Flight>();
      flight->id = next_flight_id_.fetch_add(1, std::memory_order_relaxed);
      flight->started_ms = t;
      flight->reading = true;
      flight->previous = std::move(previous);
      r.state = LookupResult::State::Wait;
      r.wait_id = next_flight_id_.fetch_add(1, std::memory_order_relaxed);
      flight->waiters.push_back({r.wait_id, std::move(on_wait)});
      out.reads.emplace_back(std::string(key), flight->id);
      shard.flights.emplace(std::string(key), std::move(flight));
      return;
    }
    r.state = LookupResult::State::Miss;
    r.ticket = open_flight(shard, key, false, std::move(previous), t);
    return;
  }
  r.state = LookupResult::State::Wait;
  r.wait_id = next_flight_id_.fetch_add(1, std::memory_order_relaxed);
  Flight& flight = *f->second;
  flight.waiters.push_back({r.wait_id, std::move(on_wait)});
  // A waiter that arrives after a deadline has fired is answered at once the same way.
  if (flight.soft_fired || flight.hard_fired) settle_deadlines(flight, t, out);
}

EntryRef CacheImpl::fill(Ticket&& ticket, std::string_view value, const EntryOptions& options) {
  if (ticket.impl_.get() != this) throw Error(ErrorKind::InvalidArgument, "fill() needs a ticket issued by this cache");
  const std::int64_t t = now();
  Entry* e = make_entry(ticket.key_, value, options, t);
  EntryRef served(e);
  retain(e);  // one reference for the caller (`served`), one that the shard may adopt
  // The file first; undone below if a purge or newer write wins (see "The replica" in cache_impl.h).
  if (replica_) replica_write(*e);
  enum class FileFix { None, Erase, Rewrite } file_fix = replica_ ? FileFix::Erase : FileFix::None;
  const std::uint64_t h = hash_key(ticket.key_);
  Shard& shard = shard_for(h);
  Deferred out;
  bool adopted = false;
  {
    std::lock_guard lock(shard.mu);
    shard.advance_time(t, out);
    auto f = shard.flights.find(ticket.key_);
    if (f != shard.flights.end() && f->second->id == ticket.flight_id_) {
      std::unique_ptr<Flight> flight = std::move(f->second);
      shard.flights.erase(f);
      std::optional<PurgeMode> invalidated = flight->invalidated;
      for (const auto& [tag, mode] : flight->purged_tags) {
        bool has = false;
        e->for_each_tag([&](std::string_view own) { has = has || own == tag; });
        if (has && (!invalidated || mode == PurgeMode::Hard)) invalidated = mode;
      }
      if (replica_)
        if (auto in_progress = purge_in_progress(*e)) strongest(invalidated, *in_progress);
      if (invalidated == PurgeMode::Soft) e->fresh_until.store(t, std::memory_order_relaxed);
      const bool keep = invalidated != PurgeMode::Hard && t < e->reclaim_at();
      if (replica_ && keep) file_fix = invalidated == PurgeMode::Soft ? FileFix::Rewrite : FileFix::None;
      if (keep && e->charge() <= shard.budget()) {
        ++shard.counters.fills;
        shard.insert(e, h, out);
        adopted = true;
      } else if (!keep) {
        // A purge or newer write won; the waiters still get this value.
      } else {
        ++shard.counters.rejected;
        if (Entry* old = shard.find(ticket.key_, h)) shard.remove(old, RemovalCause::Replaced, out);
      }
      for (auto& w : flight->waiters) out.wake(std::move(w.callback), value_result(served, Outcome::Miss));
    }
    // Otherwise the flight timed out or was superseded: the leader keeps its value, unstored.
  }
  if (file_fix == FileFix::Rewrite) replica_write(*e);
  if (file_fix == FileFix::Erase) replica_erase(ticket.key_);
  if (!adopted) release(e);
  ticket.impl_.reset();
  finish(out);
  return served;
}

FlightResult CacheImpl::fail(Ticket&& ticket, Error error) {
  if (ticket.impl_.get() != this) throw Error(ErrorKind::InvalidArgument, "fail() needs a ticket issued by this cache");
  const std::uint64_t h = hash_key(ticket.key_);
  Shard& shard = shard_for(h);
  const std::int64_t t = now();
  FlightResult result = error_result(error);
  Deferred out;
  {
    std::lock_guard lock(shard.mu);
    auto f = shard.flights.find(ticket.key_);
    if (f != shard.flights.end() && f->second->id == ticket.flight_id_) {
      std::unique_ptr<Flight> flight = std::move(f->second);
      shard.flights.erase(f);
      // The old value is served only while it is still the cached one (not purged or replaced).
      const EntryRef& prev = flight->previous;
      if (prev && shard.find(ticket.key_, h) == prev.get() && t < prev.error_until_ms())
        result = value_result(prev, Outcome::Stale);
      for (auto& w : flight->waiters) out.wake(std::move(w.callback), copy_result(result));
    }
  }
  ticket.impl_.reset();
  finish(out);
  return result;
}

bool CacheImpl::cancel_wait(std::string_view key, std::uint64_t wait_id) {
  validate_key(key);
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  WaitCallback dropped;  // destroyed after unlocking: it may own binding state
  std::lock_guard lock(shard.mu);
  auto f = shard.flights.find(key);
  if (f == shard.flights.end()) return false;
  auto& waiters = f->second->waiters;
  for (auto it = waiters.begin(); it != waiters.end(); ++it) {
    if (it->id != wait_id) continue;
    dropped = std::move(it->callback);
    waiters.erase(it);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The replica tier

void CacheImpl::replica_write(const Entry& e) noexcept {
  try {
    ReplicaEntry r;
    r.key = std::string(e.key());
    r.value = std::string(e.value());
    r.encoding = e.encoding;
    r.tags.reserve(e.tag_count);
    e.for_each_tag([&](std::string_view t) { r.tags.emplace_back(t); });
    r.fresh_until = e.fresh();
    r.stale_until = e.stale_until;
    r.error_until = e.error_until;
    replica_->write(std::move(r));  // false (dropped, or closed): the store queued an erase
  } catch (...) {
    // Closed or out of memory: the lower tier misses a write, never the caller.
  }
}

void CacheImpl::replica_erase(std::string_view key) noexcept {
  try {
    replica_->erase(key);
  } catch (...) {
    // Closed: nothing left to erase from.
  }
}

void CacheImpl::start_reads(Deferred& out) {
  for (auto& [key, flight_id] : out.reads) {
    replica_reads_.fetch_add(1, std::memory_order_relaxed);
    try {
      // The read holds the engine as a ticket would: every flight ends, even after the last handle.
      replica_->read(key, [self = shared_from_this(), key = key, id = flight_id](ReplicaRead read) mutable {
        ReplicaCallbackScope scope;
        auto keep = std::move(self);  // released inside the scope (see ~CacheImpl)
        keep->on_replica_read(key, id, std::move(read));
      });
    } catch (const Error& e) {
      on_replica_read(key, flight_id, ReplicaRead{std::nullopt, e});  // closed: a failed read
    }
  }
  out.reads.clear();
}

void CacheImpl::on_replica_read(const std::string& key, std::uint64_t flight_id, ReplicaRead read) {
  const std::int64_t t = now();
  // The copy for memory, made outside the lock. Kept while in its last window: past stale_until
  // it can still serve a failed fetch (stale-if-error across a restart).
  EntryRef value;
  if (read.entry && !read.error) {
    const ReplicaEntry& re = *read.entry;
    try {
      validate_value(re.value);
      validate_tags(re.tags);
      if (t < std::max(re.stale_until, re.error_until))
        value = EntryRef(Entry::create(key, re.value, re.encoding, re.tags,
                                       Windows{re.fresh_until, re.stale_until, re.error_until}));
    } catch (const Error&) {
      // Written by something that does not keep the engine's limits: treat as absent.
    }
  }
  const std::uint64_t h = hash_key(key);
  Shard& shard = shard_for(h);
  Deferred out;
  {
    std::lock_guard lock(shard.mu);
    shard.advance_time(t, out);
    auto f = shard.flights.find(key);
    // Otherwise the flight ended meanwhile (lock timeout): the answer has no one to go to.
    if (f != shard.flights.end() && f->second->id == flight_id && f->second->reading) {
      Flight& flight = *f->second;
      // A purge or newer write since the lookup wins over the file's (older) answer.
      std::optional<PurgeMode> invalidated = flight.invalidated;
      if (value) {
        Entry& e = *value.get();
        for (const auto& [tag, mode] : flight.purged_tags) {
          bool has = false;
          e.for_each_tag([&](std::string_view own) { has = has || own == tag; });
          if (has) strongest(invalidated, mode);
        }
        if (auto in_progress = purge_in_progress(e)) strongest(invalidated, *in_progress);
        if (invalidated == PurgeMode::Hard) {
          value = EntryRef();
        } else {
          if (invalidated == PurgeMode::Soft && t < e.fresh()) e.fresh_until.store(t, std::memory_order_relaxed);
          if (e.charge() <= shard.budget()) {
            retain(&e);
            shard.insert(&e, h, out);  // replaces an older copy (one in its stale-if-error window)
            promotions_.fetch_add(1, std::memory_order_relaxed);
          }
        }
      }
      const bool from_file = value && t < value.stale_until_ms();
      if (!from_file && invalidated == PurgeMode::Hard) {
        // A newer write may have stored a value meanwhile: the waiters get that one.
        Entry* resident = shard.find(key, h);
        if (resident && t < resident->stale_until && resident != flight.previous.get()) {
          retain(resident);
          value = EntryRef(resident);
        }
      }
      if (value && t < value.stale_until_ms()) {
        // Served (from the file, or a newer write): everyone gets it; when stale, one revalidates.
        if (from_file) replica_hits_.fetch_add(1, std::memory_order_relaxed);
        std::unique_ptr<Flight> ended = std::move(f->second);
        shard.flights.erase(f);
        const bool stale = t >= value.fresh_until_ms();
        bool ticket_given = !stale;
        for (auto& w : ended->waiters) {
          FlightResult r = value_result(value, stale ? Outcome::Stale : Outcome::Hit);
          if (!ticket_given && w.callback) {
            r.ticket = open_flight(shard, key, true, value, t);
            ticket_given = true;
          }
          out.wake(std::move(w.callback), std::move(r));
        }
      } else {
        // Nothing servable: one waiter takes the lead; the others wait for it.
        if (value && value.get() == shard.find(key, h)) flight.previous = value;  // for stale-if-error
        if (invalidated == PurgeMode::Hard) flight.previous = EntryRef();
        // The purges and writes seen so far came before the new leader's fetch: they beat the
        // file's answer, not the value the leader is about to fetch.
        flight.invalidated.reset();
        flight.purged_tags.clear();
        auto w = std::find_if(flight.waiters.begin(), flight.waiters.end(),
                              [](const Flight::Waiter& x) { return static_cast<bool>(x.callback); });
        if (w == flight.waiters.end()) {
          shard.flights.erase(f);  // no one left to lead (waiters withdrawn): the flight ends
        } else {
          flight.reading = false;
          flight.started_ms = t;  // the leader's fetch starts now; deadlines count from here
          FlightResult r;
          r.status = FlightResult::Status::Lead;
          r.outcome = Outcome::Miss;
          r.ticket.impl_ = shared_from_this();
          r.ticket.key_ = key;
          r.ticket.flight_id_ = flight.id;
          WaitCallback cb = std::move(w->callback);
          flight.waiters.erase(w);
          out.wake(std::move(cb), std::move(r));
        }
      }
    }
  }
  finish(out);
}

// ---------------------------------------------------------------------------------------------

void CacheImpl::record_hits(std::span<const std::uint64_t> sample, std::uint32_t weight, std::uint64_t hits) {
  recorded_hits_.fetch_add(hits, std::memory_order_relaxed);
  if (sample.empty() || weight == 0) return;
  {
    std::lock_guard lock(sampled_hits_mu_);
    const std::size_t room = kMaxSampledHits - std::min(kMaxSampledHits, sampled_hits_.size());
    for (std::size_t i = 0; i < std::min(room, sample.size()); ++i) sampled_hits_.push_back({sample[i], weight});
  }
  if (!janitor_) apply_sampled_hits();
}

// The entries are scattered in memory and each costs a few cache misses: grouped by shard, one
// lock each.
void CacheImpl::apply_sampled_hits() {
  std::vector<SampledHit> batch;
  {
    std::lock_guard lock(sampled_hits_mu_);
    batch.swap(sampled_hits_);
  }
  if (batch.empty()) return;
  std::sort(batch.begin(), batch.end(), [this](const SampledHit& a, const SampledHit& b) {
    return shard_index(a.key_hash) < shard_index(b.key_hash);
  });
  for (std::size_t i = 0; i < batch.size();) {
    const std::uint32_t s = shard_index(batch[i].key_hash);
    Shard& shard = *shards_[s];
    std::lock_guard lock(shard.mu);
    for (; i < batch.size() && shard_index(batch[i].key_hash) == s; ++i)
      if (Entry* e = shard.find_by_hash(batch[i].key_hash)) shard.touch(*e, batch[i].key_hash, batch[i].weight);
  }
}

Stats CacheImpl::stats() const {
  Stats s;
  s.max_bytes = options_.max_bytes;
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    std::lock_guard lock(shard.mu);
    const ShardCounters& c = shard.counters;
    s.hits += c.hits;
    s.stale_hits += c.stale_hits;
    s.misses += c.misses;
    s.fills += c.fills;
    s.sets += c.sets;
    s.evictions += c.evictions;
    s.expirations += c.expirations;
    s.purged += c.purged;
    s.rejected += c.rejected;
    s.bytes += shard.bytes();
    s.entries += shard.entries();
  }
  s.hits += recorded_hits_.load(std::memory_order_relaxed);
  s.replica_reads = replica_reads_.load(std::memory_order_relaxed);
  s.replica_hits = replica_hits_.load(std::memory_order_relaxed);
  s.promotions = promotions_.load(std::memory_order_relaxed);
  return s;
}

void CacheImpl::run_maintenance() {
  apply_sampled_hits();
  const std::int64_t t = now();
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    Deferred out;
    {
      std::lock_guard lock(shard.mu);
      shard.advance_time(t, out);
      for (auto it = shard.flights.begin(); it != shard.flights.end();) {
        auto next = std::next(it);
        if (settle_deadlines(*it->second, t, out)) shard.flights.erase(it);
        it = next;
      }
    }
    finish(out);
  }
}

std::shared_ptr<const CacheImpl::Listeners> CacheImpl::listeners() const {
  std::lock_guard lock(listeners_mu_);
  return listeners_;
}

void CacheImpl::add_listener(std::shared_ptr<CacheListener> listener) {
  if (!listener) throw Error(ErrorKind::InvalidArgument, "listener must not be null");
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<Listeners>(*listeners_);
  next->push_back(std::move(listener));
  listeners_ = std::move(next);
  has_listeners_.store(true, std::memory_order_release);
}

void CacheImpl::remove_listener(const std::shared_ptr<CacheListener>& listener) {
  std::lock_guard lock(listeners_mu_);
  auto next = std::make_shared<Listeners>(*listeners_);
  std::erase(*next, listener);
  has_listeners_.store(!next->empty(), std::memory_order_release);
  listeners_ = std::move(next);
}

}  // namespace zcache::detail
