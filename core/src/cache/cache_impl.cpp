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
  const std::uint32_t n = pick_shards(options_);
  options_.shards = n;
  shard_mask_ = n - 1;
  const std::int64_t t = now();
  shards_.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(options_.max_bytes / n, t));
  listeners_ = std::make_shared<const Listeners>();
}

CacheImpl::~CacheImpl() {
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

bool CacheImpl::set(std::string_view key, std::string_view value, const EntryOptions& options) {
  const std::int64_t t = now();
  Entry* e = make_entry(key, value, options, t);  // allocation and copy outside the lock
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

PurgeResult CacheImpl::purge(const PurgeSelector& selector, PurgeMode mode) {
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
        if (t < e->fresh()) e->fresh_until.store(t, std::memory_order_relaxed);
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
    FlightResult r;
    r.status = FlightResult::Status::LockTimeout;
    for (auto& w : f.waiters) out.wake(std::move(w.callback), r);
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
      if (invalidated == PurgeMode::Soft) e->fresh_until.store(t, std::memory_order_relaxed);
      const bool keep = invalidated != PurgeMode::Hard && t < e->reclaim_at();
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
      for (auto& w : flight->waiters) out.wake(std::move(w.callback), result);
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
  return s;
}

void CacheImpl::run_maintenance() {
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
