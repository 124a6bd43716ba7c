// Randomized property test: long random sequences of every operation, on a ManualClock, checked
// after every step against a shadow model of the engine.
//
// The model is exact. Eviction is the one thing it cannot predict, so it learns evictions from a
// CacheListener — and checks every reported removal against what it knows: an eviction must
// name a resident entry of the shard that was just written to; an expiry must name a resident
// entry whose last window has passed, and only in an operation that moves time; every
// Replaced/Deleted/Purged/Cleared removal the operation must cause must be reported, exactly
// once, with the right cause. Values are unique (each write carries a serial), so "the value read
// back is the last one written, never an older one" is checked exactly, as are contains(),
// stats() (entries, bytes and every counter), purge results, what fill()/fail() return, and what
// every waiter callback receives (each exactly once, in the operation that ends its flight).
//
// White-box: the byte charge of an entry (to know which writes fit a shard and to check
// stats().bytes exactly) and the key hash (to know which shard an eviction may come from) come
// from core/src/cache/entry.h.
//
// A failure prints the seed, the configuration and the last operations.
#include "test_support.h"

#include "cache/entry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace zcache::test {
namespace {

constexpr std::uint64_t kMaxBytes = 64 * 1024;
constexpr std::int64_t kLockTimeoutMs = 4000;
constexpr std::int64_t kSoftTimeoutMs = 800;
constexpr std::int64_t kHardTimeoutMs = 2000;
constexpr std::int64_t kDefaultTtlMs = 2000;
constexpr std::int64_t kDefaultStaleMs = 3000;
constexpr std::int64_t kDefaultErrorMs = 1000;

struct Config {
  std::uint64_t seed;
  std::uint32_t shards;
  bool deadlines;  // soft and hard timeouts on
  int ops;
};

const char* cause_name(RemovalCause c) {
  switch (c) {
    case RemovalCause::Evicted: return "evicted";
    case RemovalCause::Expired: return "expired";
    case RemovalCause::Deleted: return "deleted";
    case RemovalCause::Replaced: return "replaced";
    case RemovalCause::Purged: return "purged";
    case RemovalCause::Cleared: return "cleared";
  }
  return "?";
}

std::uint64_t charge_of(std::string_view key, std::size_t value_len, const std::vector<std::string>& tags) {
  std::uint64_t tags_len = 0;
  for (const auto& t : tags) tags_len += sizeof(std::uint16_t) + t.size();
  return sizeof(detail::Entry) + key.size() + value_len + tags_len + detail::kIndexOverheadBytes +
         tags.size() * detail::kTagIndexOverheadBytes;
}

struct MEntry {
  std::string key, value;
  std::int64_t fresh = 0, stale = 0, error = 0;
  std::vector<std::string> tags;
  std::uint8_t encoding = 0;
  std::uint64_t charge = 0;
  std::int64_t reclaim() const { return std::max(stale, error); }
  bool has_tag(std::string_view t) const { return std::find(tags.begin(), tags.end(), t) != tags.end(); }
};

struct MFlight {
  std::uint64_t serial = 0;
  std::int64_t started = 0;
  bool revalidation = false;
  std::optional<MEntry> previous;
  std::optional<PurgeMode> invalidated;
  std::vector<std::pair<std::string, PurgeMode>> purged_tags;
  std::vector<int> waiters;
  bool soft_fired = false, hard_fired = false;
  void invalidate(PurgeMode m) {
    if (!invalidated || m == PurgeMode::Hard) invalidated = m;
  }
};

struct WaitExpect {
  FlightResult::Status status = FlightResult::Status::Value;
  Outcome outcome = Outcome::Miss;
  std::string value;
  ErrorKind kind = ErrorKind::Internal;
};

struct Recorder final : CacheListener {
  struct Removal {
    EntryRef entry;
    RemovalCause cause;
  };
  struct Purge {
    PurgeSelector selector;
    PurgeMode mode;
    PurgeResult result;
  };
  std::vector<Removal> removals;
  std::vector<Purge> purges;
  void on_removal(const EntryRef& e, RemovalCause c) override { removals.push_back({e, c}); }
  void on_purge(const PurgeSelector& s, PurgeMode m, const PurgeResult& r) override { purges.push_back({s, m, r}); }
};

struct TicketRec {
  Ticket ticket;
  std::string key;
  std::uint64_t serial = 0;
};

class PropertyRun {
 public:
  explicit PropertyRun(const Config& cfg) : cfg_(cfg), rng_(cfg.seed) {
    CacheOptions o;
    o.max_bytes = kMaxBytes;
    o.shards = cfg.shards;
    o.default_ttl_ms = kDefaultTtlMs;
    o.default_stale_ms = kDefaultStaleMs;
    o.default_stale_if_error_ms = kDefaultErrorMs;
    o.lock_timeout_ms = kLockTimeoutMs;
    if (cfg.deadlines) {
      o.soft_timeout_ms = kSoftTimeoutMs;
      o.hard_timeout_ms = kHardTimeoutMs;
    }
    o.clock = clock_;
    o.background_maintenance = false;
    cache_.emplace(o);
    budget_ = kMaxBytes / cfg.shards;
    cache_->add_listener(rec_);
    static const char* kPrefixes[] = {"a/", "a/b/", "b/", "ab", "c/"};
    for (int i = 0; i < 40; ++i) keys_.push_back(std::string(kPrefixes[i % 5]) + std::to_string(i));
  }

  void run() {
    for (int i = 0; i < cfg_.ops; ++i) {
      step();
      if (::testing::Test::HasFailure()) {
        dump();
        return;
      }
    }
    // Quiescent end: every outstanding ticket dropped, then everything cleared.
    while (!tickets_.empty()) {
      drop_ticket(tickets_.size() - 1);
      if (::testing::Test::HasFailure()) return dump();
    }
    clear_op();
    if (::testing::Test::HasFailure()) return dump();
    const Stats s = cache_->stats();
    EXPECT_EQ(s.entries, 0u);
    EXPECT_EQ(s.bytes, 0u);
    EXPECT_EQ(s.sets + s.fills, removals_seen_) << "every inserted entry was reported removed exactly once";
    for (auto& [ref, value] : saved_) EXPECT_EQ(ref.value(), value);
    if (::testing::Test::HasFailure()) return dump();
    // Coverage, so that a change that makes the run vacuous shows.
    std::ostringstream os;
    os << "ops=" << op_index_ << " sets=" << s.sets << " fills=" << s.fills << " rejected=" << s.rejected
       << " evictions=" << s.evictions << " expirations=" << s.expirations << " purged=" << s.purged
       << " hits=" << s.hits << " stale_hits=" << s.stale_hits << " misses=" << s.misses
       << " waiter_calls=" << calls_total_;
    for (auto& [status, n] : outcomes_) os << " status" << status << "=" << n;
    ::testing::Test::RecordProperty("coverage", os.str());
    std::printf("    %s\n", os.str().c_str());
    EXPECT_GT(s.evictions, 0u);
    EXPECT_GT(s.expirations, 0u);
    EXPECT_GT(calls_total_, 0u);
  }

 private:
  // ------------------------------------------------------------------------------------------
  // Randomness

  std::uint64_t rnd(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return static_cast<int>(rnd(100)) < percent; }
  // Half the picks go to a few hot keys, so that flights gather waiters and entries get read.
  const std::string& pick_key() { return keys_[chance(50) ? rnd(6) : rnd(keys_.size())]; }
  std::int64_t now() const { return clock_->now_ms(); }
  std::uint32_t shard_of(std::string_view key) const {
    return static_cast<std::uint32_t>((detail::hash_key(key) >> 40) & (cfg_.shards - 1));
  }

  EntryOptions random_options() {
    EntryOptions o;
    auto dur = [&](std::int64_t max) -> std::optional<std::int64_t> {
      switch (rnd(6)) {
        case 0: return std::nullopt;
        case 1: return 0;
        case 2: return 100'000;
        default: return static_cast<std::int64_t>(rnd(max));
      }
    };
    o.ttl_ms = dur(3000);
    o.stale_ms = dur(5000);
    o.stale_if_error_ms = dur(5000);
    const std::uint64_t ntags = rnd(4);
    for (std::uint64_t i = 0; i < ntags; ++i) {
      std::string t = "t" + std::to_string(rnd(6));
      if (std::find(o.tags.begin(), o.tags.end(), t) == o.tags.end()) o.tags.push_back(t);
    }
    o.encoding = static_cast<std::uint8_t>(rnd(4));
    return o;
  }

  // A unique value; sometimes exactly the largest that fits a shard, or one byte more, or larger.
  std::string make_value(std::string_view key, const EntryOptions& o) {
    std::string head = "v" + std::to_string(++serial_) + ":";
    const std::uint64_t fixed = charge_of(key, 0, o.tags);
    std::uint64_t len;
    const auto r = rnd(100);
    if (r < 70) len = 8 + rnd(600);
    else if (r < 90) len = 600 + rnd(3400);
    else if (r < 94) len = budget_ - fixed;          // exactly fills a shard
    else if (r < 97) len = budget_ - fixed + 1;      // one byte too many
    else len = budget_ + rnd(2000);                  // far too large
    len = std::max<std::uint64_t>(len, head.size());
    head.resize(len, static_cast<char>('a' + serial_ % 26));
    return head;
  }

  MEntry model_entry(std::string_view key, std::string_view value, const EntryOptions& o, std::int64_t t) const {
    MEntry e;
    e.key = std::string(key);
    e.value = std::string(value);
    const std::int64_t ttl = o.ttl_ms.value_or(kDefaultTtlMs);
    e.fresh = t + ttl;
    e.stale = e.fresh + o.stale_ms.value_or(kDefaultStaleMs);
    e.error = e.fresh + o.stale_if_error_ms.value_or(kDefaultErrorMs);
    e.tags = o.tags;
    e.encoding = o.encoding;
    e.charge = charge_of(key, value.size(), o.tags);
    return e;
  }

  // ------------------------------------------------------------------------------------------
  // Bookkeeping around one operation

  using Required = std::map<std::string, std::set<RemovalCause>>;  // value -> allowed causes

  void log(std::string s) {
    ops_log_.push_back(std::to_string(op_index_) + " @" + std::to_string(now() - start_) + "ms: " + std::move(s));
    if (ops_log_.size() > 40) ops_log_.pop_front();
  }

  void dump() {
    std::ostringstream os;
    os << "seed=" << cfg_.seed << " shards=" << cfg_.shards << " deadlines=" << cfg_.deadlines
       << " failed at op " << op_index_ << "; the last operations:\n";
    for (auto& l : ops_log_) os << "  " << l << "\n";
    ADD_FAILURE() << os.str();
  }

  // The old entry of `key` (if any) leaves the model, and must be reported with one of `causes`
  // (or as Expired when its time has passed and `expiry` is allowed).
  void require_removal(Required& req, const std::string& key, RemovalCause cause, bool expiry_possible) {
    auto it = resident_.find(key);
    if (it == resident_.end()) return;
    std::set<RemovalCause> causes{cause};
    if (expiry_possible && now() >= it->second.reclaim()) causes.insert(RemovalCause::Expired);
    req[it->second.value] = causes;
    resident_.erase(it);
  }

  void expect_waiter(int id, WaitExpect e) {
    EXPECT_FALSE(expected_calls_.count(id)) << "waiter " << id << " resolved twice by the model";
    expected_calls_[id] = std::move(e);
  }

  // Checks what happened during the operation against the model: reported removals, waiter
  // callbacks, and then every observable invariant.
  void end_op(Required req, bool expiry_allowed, std::optional<std::uint32_t> evict_shard) {
    const std::int64_t t = now();
    for (auto& r : rec_->removals) {
      ++removals_seen_;
      const std::string key(r.entry.key()), value(r.entry.value());
      if (auto it = req.find(value); it != req.end()) {
        EXPECT_TRUE(it->second.count(r.cause)) << "removal of " << key << " reported as " << cause_name(r.cause);
        if (r.cause == RemovalCause::Expired) ++model_stats_.expirations;
        if (r.cause == RemovalCause::Evicted) ++model_stats_.evictions;
        req.erase(it);
        continue;
      }
      auto it = resident_.find(key);
      if (it == resident_.end() || it->second.value != value) {
        ADD_FAILURE() << "removal (" << cause_name(r.cause) << ") reported for " << key
                      << " which is not the resident entry of that key";
        continue;
      }
      if (r.cause == RemovalCause::Evicted) {
        ++model_stats_.evictions;
        EXPECT_TRUE(evict_shard.has_value()) << "eviction of " << key << " by an operation that stores nothing";
        if (evict_shard) {
          EXPECT_EQ(shard_of(key), *evict_shard) << "eviction of " << key << " from another shard";
        }
      } else if (r.cause == RemovalCause::Expired) {
        ++model_stats_.expirations;
        EXPECT_TRUE(expiry_allowed) << "expiry of " << key << " by an operation that does not move time";
        EXPECT_GE(t, it->second.reclaim()) << "entry " << key << " expired before its last window ended";
      } else {
        ADD_FAILURE() << "unexpected removal of " << key << " as " << cause_name(r.cause);
      }
      resident_.erase(it);
    }
    for (auto& [value, causes] : req) {
      ADD_FAILURE() << "an expected removal (value " << value.substr(0, 12) << "..., cause "
                    << cause_name(*causes.begin()) << ") was not reported";
    }
    rec_->removals.clear();
    check_callbacks();
    check_invariants();
  }

  void check_callbacks() {
    EXPECT_EQ(calls_total_ - calls_checked_, expected_calls_.size())
        << "waiter callbacks called during this operation vs expected";
    calls_checked_ = calls_total_;
    for (auto& [id, e] : expected_calls_) {
      const auto& got = calls_[id];
      ASSERT_EQ(got.size(), 1u) << "waiter " << id << " called " << got.size() << " times";
      const FlightResult& r = got[0];
      ++outcomes_[static_cast<int>(r.status) * 10 + static_cast<int>(r.outcome)];
      EXPECT_EQ(r.status, e.status) << "waiter " << id;
      if (r.status != e.status) continue;
      if (e.status == FlightResult::Status::Value) {
        EXPECT_EQ(r.outcome, e.outcome) << "waiter " << id;
        EXPECT_TRUE(r.value) << "waiter " << id;
        if (r.value) {
          EXPECT_EQ(r.value.value().substr(0, 16), e.value.substr(0, 16)) << "waiter " << id;
          EXPECT_TRUE(r.value.value() == e.value) << "waiter " << id;
        }
      } else if (e.status == FlightResult::Status::Error) {
        EXPECT_TRUE(r.error.has_value()) << "waiter " << id;
        if (r.error) {
          EXPECT_EQ(r.error->kind(), e.kind) << "waiter " << id << ": " << r.error->what();
        }
      }
    }
    expected_calls_.clear();
  }

  void check_invariants() {
    const std::int64_t t = now();
    for (const auto& k : keys_) {
      auto it = resident_.find(k);
      const bool servable = it != resident_.end() && t < it->second.stale;
      EXPECT_EQ(cache_->contains(k), servable) << "contains(" << k << ")";
    }
    const Stats s = cache_->stats();
    std::uint64_t bytes = 0;
    std::vector<std::uint64_t> shard_bytes(cfg_.shards);
    for (auto& [k, e] : resident_) {
      bytes += e.charge;
      shard_bytes[shard_of(k)] += e.charge;
    }
    EXPECT_LE(s.bytes, kMaxBytes);
    EXPECT_EQ(s.max_bytes, kMaxBytes);
    EXPECT_EQ(s.entries, resident_.size());
    EXPECT_EQ(s.bytes, bytes);
    for (auto b : shard_bytes) EXPECT_LE(b, budget_) << "a shard is over its slice of the budget";
    // Removal accounting: every stored entry is either resident or was reported removed once.
    EXPECT_EQ(s.sets + s.fills - removals_seen_, s.entries);
    EXPECT_EQ(s.hits, model_stats_.hits);
    EXPECT_EQ(s.stale_hits, model_stats_.stale_hits);
    EXPECT_EQ(s.misses, model_stats_.misses);
    EXPECT_EQ(s.fills, model_stats_.fills);
    EXPECT_EQ(s.sets, model_stats_.sets);
    EXPECT_EQ(s.evictions, model_stats_.evictions);
    EXPECT_EQ(s.expirations, model_stats_.expirations);
    EXPECT_EQ(s.purged, model_stats_.purged);
    EXPECT_EQ(s.rejected, model_stats_.rejected);
  }

  void check_entry(const EntryRef& ref, const MEntry& m) {
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref.key(), m.key);
    EXPECT_EQ(ref.value().size(), m.value.size());
    EXPECT_TRUE(ref.value() == m.value) << "read back " << ref.value().substr(0, 12) << "..., the last write was "
                                        << m.value.substr(0, 12) << "...";
    EXPECT_EQ(ref.encoding(), m.encoding);
    std::vector<std::string> tags;
    for (auto t : ref.tags()) tags.emplace_back(t);
    EXPECT_EQ(tags, m.tags);
    EXPECT_EQ(ref.fresh_until_ms(), m.fresh);
    EXPECT_EQ(ref.stale_until_ms(), m.stale);
    EXPECT_EQ(ref.error_until_ms(), m.error);
  }

  void save(const EntryRef& ref) {
    if (!ref) return;
    if (saved_.size() < 32) saved_.emplace_back(ref, std::string(ref.value()));
    else saved_[rnd(saved_.size())] = {ref, std::string(ref.value())};
  }

  WaitCallback callback(int id) {
    return [this, id](FlightResult r) {
      calls_[id].push_back(std::move(r));
      ++calls_total_;
    };
  }

  // The deadlines of one flight (mirrors the documented soft/hard/lock timeouts); true = dropped.
  bool settle(MFlight& f, std::int64_t t) {
    const std::int64_t age = t - f.started;
    if (age >= kLockTimeoutMs) {
      for (int w : f.waiters) expect_waiter(w, {FlightResult::Status::LockTimeout, Outcome::Miss, {}, ErrorKind::Internal});
      f.waiters.clear();
      return true;
    }
    const bool usable = f.previous && !f.invalidated && t < f.previous->error;
    if (cfg_.deadlines && age >= kSoftTimeoutMs && usable) {
      f.soft_fired = true;
      for (int w : f.waiters) expect_waiter(w, {FlightResult::Status::Value, Outcome::Stale, f.previous->value});
      f.waiters.clear();
    } else if (cfg_.deadlines && age >= kHardTimeoutMs) {
      f.hard_fired = true;
      for (int w : f.waiters) expect_waiter(w, {FlightResult::Status::Error, Outcome::Miss, {}, ErrorKind::Timeout});
      f.waiters.clear();
    }
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // Operations

  void step() {
    ++op_index_;
    const auto r = rnd(1000);
    if (r < 220) set_op();
    else if (r < 370) get_op();
    else if (r < 510) lookup_op();
    else if (r < 590) { if (!tickets_.empty()) fill_op(rnd(tickets_.size())); }
    else if (r < 630) { if (!tickets_.empty()) fail_op(rnd(tickets_.size())); }
    else if (r < 660) { if (!tickets_.empty()) drop_ticket(rnd(tickets_.size())); }
    else if (r < 670) move_assign_op();
    else if (r < 720) erase_op();
    else if (r < 790) purge_op();
    else if (r < 793) clear_op();
    else if (r < 900) advance_op();
    else if (r < 960) maintenance_op();
    else if (r < 975) invalid_op();
    else get_op();
    // Keep the number of open flights small so that they resolve.
    while (tickets_.size() > 8) drop_ticket(rnd(tickets_.size()));
  }

  void set_op() {
    const std::string key = pick_key();
    EntryOptions o = random_options();
    const std::string value = make_value(key, o);
    const std::int64_t t = now();
    log("set " + key + " len=" + std::to_string(value.size()) + " " + value.substr(0, 8));
    Required req;
    if (auto f = flights_.find(key); f != flights_.end()) f->second.invalidate(PurgeMode::Hard);
    MEntry e = model_entry(key, value, o, t);
    const bool fits = e.charge <= budget_;
    require_removal(req, key, RemovalCause::Replaced, true);
    if (fits) {
      ++model_stats_.sets;
      resident_[key] = e;
    } else {
      ++model_stats_.rejected;
    }
    EXPECT_EQ(cache_->set(key, value, o), fits) << "set " << key << " charge " << e.charge << " budget " << budget_;
    end_op(std::move(req), true, shard_of(key));
  }

  void get_op() {
    const std::string key = pick_key();
    const std::int64_t t = now();
    log("get " + key);
    Required req;
    std::optional<MEntry> expect;
    if (auto it = resident_.find(key); it != resident_.end()) {
      if (t >= it->second.reclaim()) require_removal(req, key, RemovalCause::Expired, true);
      else if (t < it->second.stale) expect = it->second;
    }
    if (!expect) ++model_stats_.misses;
    else if (t < expect->fresh) ++model_stats_.hits;
    else ++model_stats_.stale_hits;
    GetResult r = cache_->get(key);
    if (expect) {
      EXPECT_TRUE(r.value) << "get " << key << " found nothing; expected " << expect->value.substr(0, 12);
      if (r.value) {
        check_entry(r.value, *expect);
        EXPECT_EQ(r.stale, t >= expect->fresh);
      }
    } else {
      EXPECT_FALSE(r.value) << "get " << key << " returned " << (r.value ? std::string(r.value.value().substr(0, 12)) : "")
                            << " but the model has nothing servable";
    }
    save(r.value);
    end_op(std::move(req), true, std::nullopt);
  }

  void lookup_op() {
    const std::string key = pick_key();
    const std::int64_t t = now();
    const int id = next_waiter_++;
    calls_.emplace_back();
    Required req;
    std::optional<MEntry> e;
    if (auto it = resident_.find(key); it != resident_.end()) {
      if (t >= it->second.reclaim()) require_removal(req, key, RemovalCause::Expired, true);
      else e = it->second;
    }
    // A fresh hit does not look at the key's flight (its deadlines are left to maintenance).
    const bool fresh_hit = e && t < e->fresh;
    auto f = flights_.find(key);
    if (!fresh_hit && f != flights_.end() && settle(f->second, t)) {
      flights_.erase(f);
      f = flights_.end();
    }
    LookupResult::State state;
    bool ticket = false, revalidation = false;
    if (e && t < e->fresh) {
      ++model_stats_.hits;
      state = LookupResult::State::Fresh;
    } else if (e && t < e->stale) {
      ++model_stats_.stale_hits;
      state = LookupResult::State::Stale;
      if (f == flights_.end()) {
        ticket = revalidation = true;
        MFlight nf;
        nf.serial = ++flight_serial_;
        nf.started = t;
        nf.revalidation = true;
        nf.previous = e;
        flights_[key] = nf;
      }
    } else {
      ++model_stats_.misses;
      if (f == flights_.end()) {
        state = LookupResult::State::Miss;
        ticket = true;
        MFlight nf;
        nf.serial = ++flight_serial_;
        nf.started = t;
        nf.previous = e;  // only in its stale-if-error window here
        flights_[key] = nf;
      } else {
        state = LookupResult::State::Wait;
        f->second.waiters.push_back(id);
        if (f->second.soft_fired || f->second.hard_fired) settle(f->second, t);
      }
    }
    log("lookup " + key + " -> state " + std::to_string(static_cast<int>(state)) + (ticket ? " +ticket" : "") +
        " waiter " + std::to_string(id));
    LookupResult r = cache_->lookup(key, callback(id));
    EXPECT_EQ(r.state, state) << "lookup " << key;
    EXPECT_EQ(static_cast<bool>(r.ticket), ticket) << "lookup " << key;
    if (e && (state == LookupResult::State::Fresh || state == LookupResult::State::Stale)) {
      if (r.value) check_entry(r.value, *e);
      else ADD_FAILURE() << "lookup " << key << " returned no value";
    } else {
      EXPECT_FALSE(r.value);
    }
    if (r.ticket) {
      EXPECT_EQ(r.ticket.key(), key);
      EXPECT_EQ(r.ticket.revalidation(), revalidation);
    }
    save(r.value);
    if (r.ticket && ticket) tickets_.push_back({std::move(r.ticket), key, flights_[key].serial});
    end_op(std::move(req), true, std::nullopt);
  }

  // Is this ticket's flight still the open one?
  MFlight* current_flight(const TicketRec& rec) {
    auto f = flights_.find(rec.key);
    return f != flights_.end() && f->second.serial == rec.serial ? &f->second : nullptr;
  }

  void fill_op(std::size_t i) {
    TicketRec rec = std::move(tickets_[i]);
    tickets_.erase(tickets_.begin() + static_cast<std::ptrdiff_t>(i));
    const std::string key = rec.key;
    EntryOptions o = random_options();
    if (chance(2)) {
      // A bad fill throws and leaves the ticket usable.
      o.tags.push_back("");
      log("fill " + key + " with a bad tag");
      try {
        cache_->fill(std::move(rec.ticket), "x", o);
        ADD_FAILURE() << "fill with an empty tag did not throw";
      } catch (const Error& err) {
        EXPECT_EQ(err.kind(), ErrorKind::InvalidArgument);
      }
      EXPECT_TRUE(rec.ticket) << "a fill that threw consumed its ticket";
      tickets_.push_back(std::move(rec));
      end_op({}, false, std::nullopt);
      return;
    }
    const std::string value = make_value(key, o);
    const std::int64_t t = now();
    Required req;
    MEntry e = model_entry(key, value, o, t);
    MFlight* f = current_flight(rec);
    std::string what = "stale ticket";
    if (f) {
      std::optional<PurgeMode> inv = f->invalidated;
      for (const auto& [tag, mode] : f->purged_tags)
        if (e.has_tag(tag) && (!inv || mode == PurgeMode::Hard)) inv = mode;
      if (inv == PurgeMode::Soft) e.fresh = t;
      const bool keep = inv != PurgeMode::Hard && t < e.reclaim();
      if (keep && e.charge <= budget_) {
        ++model_stats_.fills;
        require_removal(req, key, RemovalCause::Replaced, true);
        resident_[key] = e;
        what = "stored";
      } else if (!keep) {
        what = inv == PurgeMode::Hard ? "not stored (invalidated)" : "not stored (already expired)";
      } else {
        ++model_stats_.rejected;
        require_removal(req, key, RemovalCause::Replaced, true);
        what = "rejected (too large)";
      }
      for (int w : f->waiters) expect_waiter(w, {FlightResult::Status::Value, Outcome::Miss, value});
      flights_.erase(key);
    }
    log("fill " + key + " len=" + std::to_string(value.size()) + " " + value.substr(0, 8) + ": " + what);
    EntryRef served = cache_->fill(std::move(rec.ticket), value, o);
    EXPECT_FALSE(rec.ticket) << "fill left its ticket set";
    if (served) check_entry(served, e);
    else ADD_FAILURE() << "fill returned no entry";
    save(served);
    end_op(std::move(req), true, shard_of(key));
  }

  WaitExpect model_fail(const TicketRec& rec, ErrorKind kind) {
    WaitExpect result{FlightResult::Status::Error, Outcome::Miss, {}, kind};
    MFlight* f = current_flight(rec);
    if (!f) return result;
    const std::int64_t t = now();
    auto it = resident_.find(rec.key);
    if (f->previous && it != resident_.end() && it->second.value == f->previous->value && t < f->previous->error)
      result = {FlightResult::Status::Value, Outcome::Stale, f->previous->value};
    for (int w : f->waiters) expect_waiter(w, result);
    flights_.erase(rec.key);
    return result;
  }

  void fail_op(std::size_t i) {
    TicketRec rec = std::move(tickets_[i]);
    tickets_.erase(tickets_.begin() + static_cast<std::ptrdiff_t>(i));
    const WaitExpect e = model_fail(rec, ErrorKind::FetchFailed);
    log("fail " + rec.key + (e.status == FlightResult::Status::Value ? " -> stale value" : " -> error"));
    FlightResult r = cache_->fail(std::move(rec.ticket), Error(ErrorKind::FetchFailed, "origin down"));
    EXPECT_FALSE(rec.ticket);
    EXPECT_EQ(r.status, e.status);
    if (e.status == FlightResult::Status::Value) {
      EXPECT_EQ(r.outcome, Outcome::Stale);
      EXPECT_TRUE(r.value && r.value.value() == e.value);
    } else {
      EXPECT_TRUE(r.error && r.error->kind() == ErrorKind::FetchFailed);
    }
    end_op({}, false, std::nullopt);
  }

  void drop_ticket(std::size_t i) {
    TicketRec rec = std::move(tickets_[i]);
    tickets_.erase(tickets_.begin() + static_cast<std::ptrdiff_t>(i));
    model_fail(rec, ErrorKind::Cancelled);
    log("drop ticket " + rec.key);
    { Ticket dropped = std::move(rec.ticket); }
    end_op({}, false, std::nullopt);
  }

  void move_assign_op() {
    if (tickets_.size() < 2) return;
    const std::size_t i = rnd(tickets_.size());
    std::size_t j = rnd(tickets_.size() - 1);
    if (j >= i) ++j;
    model_fail(tickets_[i], ErrorKind::Cancelled);  // the overwritten ticket is dropped
    log("ticket[" + tickets_[i].key + "] = move(ticket[" + tickets_[j].key + "])");
    tickets_[i].ticket = std::move(tickets_[j].ticket);
    EXPECT_FALSE(tickets_[j].ticket);
    EXPECT_EQ(tickets_[i].ticket.key(), tickets_[j].key);
    tickets_[i].key = tickets_[j].key;
    tickets_[i].serial = tickets_[j].serial;
    tickets_.erase(tickets_.begin() + static_cast<std::ptrdiff_t>(j));
    end_op({}, false, std::nullopt);
  }

  void erase_op() {
    const std::string key = pick_key();
    log("erase " + key);
    Required req;
    if (auto f = flights_.find(key); f != flights_.end()) f->second.invalidate(PurgeMode::Hard);
    const bool present = resident_.count(key) > 0;
    require_removal(req, key, RemovalCause::Deleted, false);
    EXPECT_EQ(cache_->erase(key), present) << "erase " << key;
    end_op(std::move(req), false, std::nullopt);
  }

  void purge_op() {
    static const char* kPurgePrefixes[] = {"a/", "a/b/", "b", "ab", "c/1", "a", "zz", "a/b/1"};
    PurgeSelector sel;
    while (sel.empty()) {
      if (chance(50)) {
        const auto n = 1 + rnd(3);
        for (std::uint64_t i = 0; i < n; ++i) sel.keys.push_back(chance(90) ? pick_key() : "missing");
      }
      if (chance(35)) sel.prefix = kPurgePrefixes[rnd(8)];
      if (chance(45)) {
        const auto n = 1 + rnd(2);
        for (std::uint64_t i = 0; i < n; ++i) sel.tags.push_back(chance(90) ? "t" + std::to_string(rnd(6)) : "tq");
      }
    }
    const PurgeMode mode = chance(50) ? PurgeMode::Hard : PurgeMode::Soft;
    const std::int64_t t = now();
    std::ostringstream d;
    d << (mode == PurgeMode::Hard ? "hard" : "soft") << " purge keys=[";
    for (auto& k : sel.keys) d << k << " ";
    d << "] prefix=" << sel.prefix.value_or("-") << " tags=[";
    for (auto& k : sel.tags) d << k << " ";
    d << "]";
    log(d.str());

    for (auto& [key, f] : flights_) {
      if (sel.prefix && key.starts_with(*sel.prefix)) f.invalidate(mode);
      for (const auto& tag : sel.tags) f.purged_tags.emplace_back(tag, mode);
      if (std::find(sel.keys.begin(), sel.keys.end(), key) != sel.keys.end()) f.invalidate(mode);
    }
    PurgeResult expect;
    Required req;
    std::vector<std::string> matched;
    for (auto& [key, e] : resident_) {
      bool m = std::find(sel.keys.begin(), sel.keys.end(), key) != sel.keys.end() ||
               (sel.prefix && key.starts_with(*sel.prefix));
      for (const auto& tag : sel.tags) m = m || e.has_tag(tag);
      if (m) matched.push_back(key);
    }
    for (const auto& key : matched) {
      MEntry& e = resident_[key];
      ++expect.objects_purged;
      ++model_stats_.purged;
      if (mode == PurgeMode::Soft && t < e.stale) {
        e.fresh = std::min(e.fresh, t);
      } else {
        expect.bytes_freed += e.charge;
        require_removal(req, key, RemovalCause::Purged, false);
      }
    }
    const std::size_t purges_before = rec_->purges.size();
    const PurgeResult r = cache_->purge(sel, mode);
    EXPECT_EQ(r.objects_purged, expect.objects_purged);
    EXPECT_EQ(r.bytes_freed, expect.bytes_freed);
    EXPECT_EQ(rec_->purges.size(), purges_before + 1) << "on_purge is called once per purge";
    if (rec_->purges.size() == purges_before + 1) {
      EXPECT_EQ(rec_->purges.back().mode, mode);
      EXPECT_EQ(rec_->purges.back().result.objects_purged, r.objects_purged);
      EXPECT_EQ(rec_->purges.back().result.bytes_freed, r.bytes_freed);
    }
    end_op(std::move(req), false, std::nullopt);
  }

  void clear_op() {
    log("clear");
    for (auto& [key, f] : flights_) f.invalidate(PurgeMode::Hard);
    Required req;
    std::vector<std::string> all;
    for (auto& [key, e] : resident_) all.push_back(key);
    for (auto& key : all) require_removal(req, key, RemovalCause::Cleared, false);
    cache_->clear();
    end_op(std::move(req), false, std::nullopt);
    const Stats s = cache_->stats();
    EXPECT_EQ(s.entries, 0u);
    EXPECT_EQ(s.bytes, 0u);
  }

  void advance_op() {
    const auto r = rnd(100);
    std::int64_t ms;
    if (r < 60) ms = static_cast<std::int64_t>(rnd(100));
    else if (r < 92) ms = 100 + static_cast<std::int64_t>(rnd(2900));
    else ms = 3000 + static_cast<std::int64_t>(rnd(70'000));
    clock_->advance(ms);
    log("advance " + std::to_string(ms) + "ms");
    // The clock moving by itself changes nothing until the engine is called.
    end_op({}, false, std::nullopt);
  }

  void maintenance_op() {
    const std::int64_t t = now();
    log("run_maintenance");
    for (auto it = flights_.begin(); it != flights_.end();) {
      if (settle(it->second, t)) it = flights_.erase(it);
      else ++it;
    }
    cache_->run_maintenance();
    end_op({}, true, std::nullopt);
    // The wheel's finest buckets are 1024 ms wide: everything a full bucket past its time is gone.
    for (auto& [key, e] : resident_)
      EXPECT_GT(e.reclaim() + 1024, t) << key << " outlived run_maintenance by " << t - e.reclaim() << " ms";
  }

  void invalid_op() {
    const auto which = rnd(9);
    log("invalid call #" + std::to_string(which));
    auto expect_invalid = [&](auto&& f) {
      try {
        f();
        ADD_FAILURE() << "invalid call #" << which << " did not throw";
      } catch (const Error& err) {
        EXPECT_EQ(err.kind(), ErrorKind::InvalidArgument) << err.what();
      }
    };
    switch (which) {
      case 0: expect_invalid([&] { cache_->get(""); }); break;
      case 1: expect_invalid([&] { cache_->set("", "v"); }); break;
      case 2: expect_invalid([&] { cache_->erase(""); }); break;
      case 3: expect_invalid([&] { cache_->contains(""); }); break;
      case 4: expect_invalid([&] { cache_->purge(PurgeSelector{}); }); break;
      case 5: expect_invalid([&] { cache_->purge(by_prefix("")); }); break;
      case 6: expect_invalid([&] { cache_->purge(by_tags({"t1", ""})); }); break;
      case 7: {
        EntryOptions o;
        o.ttl_ms = -1;
        expect_invalid([&] { cache_->set(pick_key(), "v", o); });
        break;
      }
      default: {
        EntryOptions o;
        for (std::size_t i = 0; i <= kMaxTags; ++i) o.tags.push_back("t" + std::to_string(i));
        expect_invalid([&] { cache_->set(pick_key(), "v", o); });
        break;
      }
    }
    end_op({}, false, std::nullopt);
  }

  // ------------------------------------------------------------------------------------------

  Config cfg_;
  std::mt19937_64 rng_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  const std::int64_t start_ = clock_->now_ms();
  std::optional<Cache> cache_;
  std::shared_ptr<Recorder> rec_ = std::make_shared<Recorder>();
  std::uint64_t budget_ = 0;
  std::vector<std::string> keys_;

  std::map<std::string, MEntry> resident_;  // exactly the entries the engine holds
  std::map<std::string, MFlight> flights_;  // exactly the open flights
  std::vector<TicketRec> tickets_;
  Stats model_stats_;
  std::uint64_t removals_seen_ = 0;

  std::vector<std::vector<FlightResult>> calls_;  // per waiter id
  std::uint64_t calls_total_ = 0, calls_checked_ = 0;
  int next_waiter_ = 0;
  std::map<int, WaitExpect> expected_calls_;
  std::map<int, int> outcomes_;  // status*10+outcome of every waiter call

  std::vector<std::pair<EntryRef, std::string>> saved_;  // old references must stay readable
  std::uint64_t serial_ = 0, flight_serial_ = 0;
  int op_index_ = 0;
  std::deque<std::string> ops_log_;
};

class CacheProperty : public ::testing::TestWithParam<Config> {};

TEST_P(CacheProperty, RandomOperationsMatchTheModel) {
  PropertyRun run(GetParam());
  run.run();
}

std::vector<Config> configs() {
  std::vector<Config> out;
  for (std::uint64_t seed : {1ull, 2ull, 0xC0FFEEull}) {
    out.push_back({seed, 1, false, 4000});
    out.push_back({seed, 4, true, 4000});
    out.push_back({seed * 7919, 4, false, 4000});
    out.push_back({seed * 104729, 1, true, 4000});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Seeds, CacheProperty, ::testing::ValuesIn(configs()),
                         [](const ::testing::TestParamInfo<Config>& info) {
                           return "seed" + std::to_string(info.param.seed) + "_shards" +
                                  std::to_string(info.param.shards) + (info.param.deadlines ? "_deadlines" : "");
                         });

}  // namespace
}  // namespace zcache::test
