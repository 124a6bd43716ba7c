// The engine with a SQLite replica beneath it (CacheOptions::replica, or replica_options: the
// engine opens the store itself, once per shared name): read-through as the flight's
// leader, promotion, restarts, purges of both tiers, other processes' purges, and the rule that
// a fill which lost to a purge leaves nothing in the file. Real stores on temporary files; time
// is a ManualClock shared by cache and store. No assertion depends on timing: waits are bounded
// by a generous deadline and ordered by the store's single reader thread.
#include "temp_dir.h"
#include "test_support.h"

#include <gtest/gtest.h>
#include <zcache/replica.h>

#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace zcache::test {
namespace {

using State = LookupResult::State;
using Status = FlightResult::Status;

bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A waiter whose results arrive on a replica reader thread.
struct Waiter {
  struct State {
    std::mutex mu;
    std::vector<FlightResult> results;
  };
  std::shared_ptr<State> s = std::make_shared<State>();
  WaitCallback callback() {
    return [s = s](FlightResult f) {
      std::lock_guard lock(s->mu);
      s->results.push_back(std::move(f));
    };
  }
  std::size_t calls() const {
    std::lock_guard lock(s->mu);
    return s->results.size();
  }
  bool wait() const { return eventually([&] { return calls() > 0; }); }
  // The first result (taken: it may hold a ticket).
  FlightResult take() {
    std::lock_guard lock(s->mu);
    return std::move(s->results.at(0));
  }
};

// Holds the store's only reader thread until opened, so that reads queue behind it.
struct Gate {
  std::shared_ptr<std::promise<void>> open_signal = std::make_shared<std::promise<void>>();
  explicit Gate(ReplicaStore& store) {
    std::shared_future<void> f = open_signal->get_future().share();
    store.read("gate", [f](ReplicaRead) { f.wait(); });
  }
  void open() {
    if (!opened) open_signal->set_value();
    opened = true;
  }
  ~Gate() { open(); }  // a failed assertion must not leave the reader stuck
  bool opened = false;
};

struct Tier {
  std::shared_ptr<ManualClock> clock;
  std::shared_ptr<ReplicaStore> store;
  Cache cache;

  static std::shared_ptr<ReplicaStore> open_store(const std::string& path, std::shared_ptr<ManualClock> clock,
                                                  std::uint64_t max_bytes) {
    ReplicaOptions o;
    o.path = path;
    o.clock = std::move(clock);
    o.max_bytes = max_bytes;
    o.readers = 1;
    o.poll_interval_ms = 10;
    o.busy_timeout_ms = 60'000;
    return std::make_shared<ReplicaStore>(std::move(o));
  }
  static CacheOptions cache_options(std::shared_ptr<ManualClock> clock, std::shared_ptr<ReplicaStore> store,
                                    std::uint64_t max_bytes) {
    CacheOptions o;
    o.max_bytes = max_bytes;
    o.shards = 1;
    o.clock = std::move(clock);
    o.replica = std::move(store);
    o.lock_timeout_ms = 1'000'000;  // fake time never reaches it
    return o;
  }
  Tier(const std::string& path, std::shared_ptr<ManualClock> c, std::uint64_t memory_bytes = 8 << 20,
       std::uint64_t file_bytes = 64 << 20)
      : clock(std::move(c)),
        store(open_store(path, clock, file_bytes)),
        cache(cache_options(clock, store, memory_bytes)) {}

  // Every read queued before this one has called back (the single reader answers in order).
  void fence() { (void)store->read_sync("fence"); }
};

// Looks a key up through the replica and waits for the flight to answer.
FlightResult read_through_cache(Cache& cache, const std::string& key) {
  Waiter w;
  LookupResult r = cache.lookup(key, w.callback());
  EXPECT_EQ(r.state, State::Wait);
  EXPECT_TRUE(w.wait());
  return w.take();
}
FlightResult read_through(Tier& t, const std::string& key) { return read_through_cache(t.cache, key); }

TEST(CacheReplica, ValueSurvivesARestartWithItsWindows) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  std::int64_t fresh_until = 0;
  {
    Tier t(dir.file("r.db"), clock);
    EntryOptions o = windows(1000, 600'000);
    o.tags = {"t1"};
    ASSERT_TRUE(t.cache.set("k", "v", o));
    fresh_until = t.cache.get("k").value.fresh_until_ms();
    t.store->flush();
  }
  {
    Tier t(dir.file("r.db"), clock);
    EXPECT_FALSE(t.cache.get("k").value);  // get() is memory only
    FlightResult r = read_through(t, "k");
    EXPECT_EQ(r.status, Status::Value);
    EXPECT_EQ(r.outcome, Outcome::Hit);
    EXPECT_FALSE(r.ticket);
    EXPECT_EQ(value_of(r.value), "v");
    EXPECT_EQ(r.value.fresh_until_ms(), fresh_until);
    ASSERT_EQ(r.value.tags().size(), 1u);
    EXPECT_EQ(r.value.tags()[0], "t1");
    // Promoted: the next lookup is a memory hit.
    LookupResult again = t.cache.lookup("k", nullptr);
    EXPECT_EQ(again.state, State::Fresh);
    Stats s = t.cache.stats();
    EXPECT_EQ(s.replica_reads, 1u);
    EXPECT_EQ(s.replica_hits, 1u);
    EXPECT_EQ(s.promotions, 1u);
  }
  clock->advance(1500);  // past fresh, within the stale window
  {
    Tier t(dir.file("r.db"), clock);
    Gate gate(*t.store);
    std::vector<Waiter> ws(3);
    for (auto& w : ws) EXPECT_EQ(t.cache.lookup("k", w.callback()).state, State::Wait);
    gate.open();
    int tickets = 0;
    for (auto& w : ws) {
      ASSERT_TRUE(w.wait());
      FlightResult r = w.take();
      EXPECT_EQ(r.status, Status::Value);
      EXPECT_EQ(r.outcome, Outcome::Stale);
      EXPECT_EQ(value_of(r.value), "v");
      if (r.ticket) {
        ++tickets;
        EXPECT_TRUE(r.ticket.revalidation());
        t.cache.fill(std::move(r.ticket), "v2", windows(1000, 1000));
      }
    }
    EXPECT_EQ(tickets, 1);
    EXPECT_EQ(value_of(t.cache.lookup("k", nullptr).value), "v2");
    t.store->flush();
    EXPECT_EQ(t.store->read_sync("k").entry->value, "v2");  // the revalidation reached the file
  }
  clock->advance(10'000'000);  // past every window (of "v2" too)
  {
    Tier t(dir.file("r.db"), clock);
    FlightResult r = read_through(t, "k");
    EXPECT_EQ(r.status, Status::Lead);
    EXPECT_EQ(r.outcome, Outcome::Miss);
    ASSERT_TRUE(r.ticket);
    EXPECT_FALSE(r.ticket.revalidation());
    EXPECT_EQ(value_of(t.cache.fill(std::move(r.ticket), "v3")), "v3");
    EXPECT_EQ(t.cache.lookup("k", nullptr).state, State::Fresh);
  }
}

TEST(CacheReplica, SingleFlightThroughADiskMiss) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  Gate gate(*t.store);
  std::vector<Waiter> ws(6);
  for (auto& w : ws) ASSERT_EQ(t.cache.lookup("k", w.callback()).state, State::Wait);
  gate.open();
  t.fence();
  int leads = 0;
  Ticket ticket;
  for (auto& w : ws) {
    if (w.calls() == 0) continue;
    FlightResult r = w.take();
    EXPECT_EQ(r.status, Status::Lead);
    ticket = std::move(r.ticket);
    ++leads;
  }
  ASSERT_EQ(leads, 1);
  ASSERT_TRUE(ticket);
  EXPECT_EQ(t.cache.lookup("k", Waiter().callback()).state, State::Wait);  // joins the led flight
  t.cache.fill(std::move(ticket), "filled");
  int values = 0;
  for (auto& w : ws) {
    ASSERT_EQ(w.calls(), 1u);
    if (w.s->results[0].status == Status::Lead) continue;
    EXPECT_EQ(w.s->results[0].status, Status::Value);
    EXPECT_EQ(w.s->results[0].outcome, Outcome::Miss);
    EXPECT_EQ(value_of(w.s->results[0].value), "filled");
    ++values;
  }
  EXPECT_EQ(values, 5);
  t.store->flush();
  EXPECT_EQ(t.store->read_sync("k").entry->value, "filled");  // the fill was written behind
}

TEST(CacheReplica, CancelWaitBeforeTheReadCompletes) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  {
    Gate gate(*t.store);
    Waiter gone, stays;
    LookupResult r1 = t.cache.lookup("k", gone.callback());
    LookupResult r2 = t.cache.lookup("k", stays.callback());
    ASSERT_EQ(r1.state, State::Wait);
    EXPECT_TRUE(t.cache.cancel_wait("k", r1.wait_id));
    gate.open();
    ASSERT_TRUE(stays.wait());
    FlightResult lead = stays.take();
    EXPECT_EQ(lead.status, Status::Lead);  // the remaining waiter leads
    EXPECT_EQ(gone.calls(), 0u);
    t.cache.fill(std::move(lead.ticket), "v");
    EXPECT_EQ(gone.calls(), 0u);
  }
  {
    // Every waiter withdrawn: the flight just ends, and the next lookup reads again.
    Gate gate(*t.store);
    Waiter gone;
    LookupResult r = t.cache.lookup("other", gone.callback());
    EXPECT_TRUE(t.cache.cancel_wait("other", r.wait_id));
    gate.open();
    t.fence();
    EXPECT_EQ(gone.calls(), 0u);
    EXPECT_FALSE(t.cache.cancel_wait("other", r.wait_id));
    FlightResult again = read_through(t, "other");
    EXPECT_EQ(again.status, Status::Lead);
  }
  EXPECT_EQ(t.cache.stats().replica_reads, 3u);
}

TEST(CacheReplica, APurgeDuringTheReadWins) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  t.cache.set("a", "old");
  t.cache.set("b", "old");
  t.store->flush();
  t.cache.clear();  // memory only: the file keeps both
  {
    // clear() invalidates flights but not the file: the read finds "old" and must not use it.
    Gate gate(*t.store);
    Waiter w;
    ASSERT_EQ(t.cache.lookup("a", w.callback()).state, State::Wait);
    t.cache.clear();
    gate.open();
    ASSERT_TRUE(w.wait());
    FlightResult r = w.take();
    EXPECT_EQ(r.status, Status::Lead);
    EXPECT_FALSE(t.cache.get("a").value);  // not promoted
    t.cache.fill(std::move(r.ticket), "new");  // the leader's fetch came after: stored
    EXPECT_EQ(value_of(t.cache.get("a").value), "new");
  }
  {
    Gate gate(*t.store);
    Waiter w;
    ASSERT_EQ(t.cache.lookup("b", w.callback()).state, State::Wait);
    EXPECT_EQ(t.cache.purge(by_keys({"b"})).objects_purged, 0u);  // memory had none
    gate.open();
    ASSERT_TRUE(w.wait());
    FlightResult r = w.take();
    EXPECT_EQ(r.status, Status::Lead);
    EXPECT_FALSE(t.cache.get("b").value);
    t.store->flush();
    EXPECT_FALSE(t.store->read_sync("b").entry);
  }
  EXPECT_EQ(t.cache.stats().promotions, 0u);
}

TEST(CacheReplica, ANewerWriteDuringTheReadIsWhatWaitersGet) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  t.cache.set("k", "old");
  t.store->flush();
  t.cache.clear();
  Gate gate(*t.store);
  Waiter w;
  ASSERT_EQ(t.cache.lookup("k", w.callback()).state, State::Wait);
  t.cache.set("k", "new");
  gate.open();
  ASSERT_TRUE(w.wait());
  FlightResult r = w.take();
  EXPECT_EQ(r.status, Status::Value);
  EXPECT_EQ(r.outcome, Outcome::Hit);
  EXPECT_EQ(value_of(r.value), "new");
  EXPECT_EQ(value_of(t.cache.get("k").value), "new");
  t.store->flush();
  EXPECT_EQ(t.store->read_sync("k").entry->value, "new");
}

TEST(CacheReplica, StaleIfErrorHoldsAcrossARestart) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    Tier t(dir.file("r.db"), clock);
    t.cache.set("k", "v", windows(1000, 0, 100'000));
    t.store->flush();
  }
  clock->advance(2000);  // past fresh and stale, within stale-if-error
  Tier t(dir.file("r.db"), clock);
  FlightResult r = read_through(t, "k");
  ASSERT_EQ(r.status, Status::Lead);
  FlightResult failed = t.cache.fail(std::move(r.ticket), Error(ErrorKind::FetchFailed, "origin down"));
  EXPECT_EQ(failed.status, Status::Value);
  EXPECT_EQ(failed.outcome, Outcome::Stale);
  EXPECT_EQ(value_of(failed.value), "v");
}

TEST(CacheReplica, PurgeReportsOneSetOfCountsForBothTiers) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  t.cache.set("both", std::string(1000, 'x'));
  t.cache.set("file-only", std::string(1000, 'y'));
  t.store->flush();
  const std::uint64_t memory_charge = t.cache.stats().bytes / 2;
  t.cache.erase("file-only");  // also erases the file's copy
  t.cache.set("file-only", std::string(1000, 'y'));
  t.store->flush();
  std::promise<std::pair<PurgeResult, std::optional<Error>>> done;
  PurgeSelector sel = by_keys({"both"});
  t.cache.purge(sel, PurgeMode::Hard, 7, [&](PurgeResult r, std::optional<Error> e) {
    done.set_value({r, std::move(e)});
  });
  auto [r, error] = done.get_future().get();
  EXPECT_FALSE(error);
  EXPECT_EQ(r.objects_purged, 1u);  // in both tiers, counted once
  EXPECT_GT(r.bytes_freed, memory_charge);  // both tiers' bytes
  EXPECT_EQ(t.store->stats().last_purge_sequence, 7);
  EXPECT_FALSE(t.store->read_sync("both").entry);

  // An object only in the file still counts.
  t.cache.clear();
  std::promise<PurgeResult> done2;
  t.cache.purge(by_keys({"file-only"}), PurgeMode::Hard, 8,
                [&](PurgeResult r2, std::optional<Error>) { done2.set_value(r2); });
  PurgeResult r2 = done2.get_future().get();
  EXPECT_EQ(r2.objects_purged, 1u);
  EXPECT_GT(r2.bytes_freed, 1000u);
  EXPECT_EQ(t.store->stats().last_purge_sequence, 8);
}

TEST(CacheReplica, SoftPurgeReachesTheFile) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Tier t(dir.file("r.db"), clock);
  t.cache.set("k", "v", windows(60'000, 600'000));
  PurgeResult r = t.cache.purge(by_keys({"k"}), PurgeMode::Soft);
  EXPECT_EQ(r.objects_purged, 1u);
  t.store->flush();
  ReplicaRead file = t.store->read_sync("k");
  ASSERT_TRUE(file.entry);
  EXPECT_LE(file.entry->fresh_until, clock->now_ms());
  t.cache.clear();
  FlightResult rt = read_through(t, "k");
  EXPECT_EQ(rt.status, Status::Value);
  EXPECT_EQ(rt.outcome, Outcome::Stale);
  EXPECT_TRUE(rt.ticket);  // the one revalidation
}

TEST(CacheReplica, AnotherStoresPurgeReachesThisMemory) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Tier a(dir.file("r.db"), clock);
  Tier b(dir.file("r.db"), clock);
  a.cache.set("k", "v", tagged({"t"}));
  a.cache.set("keep", "v");
  a.store->flush();
  std::promise<PurgeResult> done;
  b.cache.purge(by_tags({"t"}), PurgeMode::Hard, 3, [&](PurgeResult r, std::optional<Error>) { done.set_value(r); });
  EXPECT_EQ(done.get_future().get().objects_purged, 1u);  // b's memory had none; the file had it
  EXPECT_TRUE(eventually([&] { return !a.cache.get("k").value; }));
  EXPECT_TRUE(a.cache.get("keep").value);
  // Memory only: a did not queue the purge back into the file.
  a.store->flush();
  EXPECT_EQ(a.store->stats().purges, 0u);
}

TEST(CacheReplica, FillAfterAPurgeWonIsNotWritten) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  FlightResult r = read_through(t, "k");
  ASSERT_EQ(r.status, Status::Lead);
  t.cache.purge(by_keys({"k"}));
  Waiter w;
  ASSERT_EQ(t.cache.lookup("k", w.callback()).state, State::Wait);
  EXPECT_EQ(value_of(t.cache.fill(std::move(r.ticket), "fetched-before-purge")), "fetched-before-purge");
  ASSERT_EQ(w.calls(), 1u);  // the waiter still gets it
  EXPECT_FALSE(t.cache.get("k").value);
  t.store->flush();
  EXPECT_FALSE(t.store->read_sync("k").entry);

  // A soft purge: stored as already stale, in both tiers.
  FlightResult r2 = read_through(t, "s");
  ASSERT_EQ(r2.status, Status::Lead);
  t.cache.purge(by_keys({"s"}), PurgeMode::Soft);
  t.cache.fill(std::move(r2.ticket), "v", windows(60'000, 600'000));
  EXPECT_TRUE(t.cache.get("s").stale);
  t.store->flush();
  ReplicaRead file = t.store->read_sync("s");
  ASSERT_TRUE(file.entry);
  EXPECT_LE(file.entry->fresh_until, t.clock->now_ms());
}

TEST(CacheReplica, MemoryAndFileBudgetsAreIndependent) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    Tier t(dir.file("small-memory.db"), clock, 64 << 10, 64 << 20);
    for (int i = 0; i < 200; ++i) t.cache.set("k" + std::to_string(i), std::string(1000, 'v'));
    t.store->flush();
    Stats s = t.cache.stats();
    EXPECT_LE(s.bytes, s.max_bytes);
    EXPECT_LT(s.entries, 200u);
    EXPECT_EQ(t.store->stats().entries, 200u);  // eviction from memory leaves the file alone
    int from_file = 0;
    for (int i = 0; i < 200 && from_file == 0; ++i)
      if (!t.cache.get("k" + std::to_string(i)).value) {
        FlightResult r = read_through(t, "k" + std::to_string(i));
        EXPECT_EQ(r.status, Status::Value);
        EXPECT_EQ(r.outcome, Outcome::Hit);
        ++from_file;
      }
    EXPECT_EQ(from_file, 1);
  }
  {
    Tier t(dir.file("small-file.db"), clock, 8 << 20, 32 << 10);
    for (int i = 0; i < 200; ++i) t.cache.set("k" + std::to_string(i), std::string(1000, 'v'));
    t.store->flush();
    EXPECT_EQ(t.cache.stats().entries, 200u);
    EXPECT_LE(t.store->stats().bytes, 32u << 10);
    EXPECT_LT(t.store->stats().entries, 200u);
  }
}

TEST(CacheReplica, EraseReachesTheFileAndClearDoesNot) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  t.cache.set("e", "v");
  t.cache.set("c", "v");
  EXPECT_TRUE(t.cache.erase("e"));
  t.cache.clear();
  t.store->flush();
  EXPECT_FALSE(t.store->read_sync("e").entry);
  EXPECT_TRUE(t.store->read_sync("c").entry);
  EXPECT_EQ(read_through(t, "e").status, Status::Lead);
  EXPECT_EQ(read_through(t, "c").status, Status::Value);
}

TEST(CacheReplica, ALookupWithoutACallbackDoesNotReadThrough) {
  TempDir dir;
  Tier t(dir.file("r.db"), std::make_shared<ManualClock>());
  LookupResult r = t.cache.lookup("k", nullptr);
  EXPECT_EQ(r.state, State::Miss);
  EXPECT_TRUE(r.ticket);
  EXPECT_EQ(t.cache.stats().replica_reads, 0u);
}

TEST(CacheReplica, TheStoreMustRunOnTheCachesClock) {
  TempDir dir;
  auto store = Tier::open_store(dir.file("r.db"), std::make_shared<ManualClock>(), 1 << 20);
  CacheOptions o = Tier::cache_options(std::make_shared<ManualClock>(), store, 1 << 20);
  EXPECT_THROW(Cache{o}, Error);
}

TEST(CacheReplica, TheLastHandleMayGoInsideAReplicaCallback) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  for (bool in_file : {false, true}) {
    auto store = Tier::open_store(dir.file(in_file ? "hit.db" : "miss.db"), clock, 1 << 20);
    std::weak_ptr<ReplicaStore> weak_store = store;
    Waiter w;
    {
      Cache cache(Tier::cache_options(clock, std::move(store), 1 << 20));
      if (in_file) {
        cache.set("k", "v");
        weak_store.lock()->flush();
        cache.clear();
      }
      Gate gate(*weak_store.lock());
      ASSERT_EQ(cache.lookup("k", w.callback()).state, State::Wait);
      gate.open();
      // The handle goes here; the pending read holds the engine until it answers, and with a
      // hit its last reference goes on the store's reader thread.
    }
    ASSERT_TRUE(w.wait());
    FlightResult r = w.take();
    EXPECT_EQ(r.status, in_file ? Status::Value : Status::Lead);
    r.ticket = Ticket();  // a lead's ticket: the last reference, off the store's threads
    EXPECT_TRUE(eventually([&] { return weak_store.expired(); }));
  }
}

// --- CacheOptions::replica_options: the engine opens its store itself, once per engine.

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::Internal;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

CacheOptions options_with_file(const std::shared_ptr<ManualClock>& clock, const std::string& path) {
  CacheOptions o = Tier::cache_options(clock, nullptr, 1 << 20);
  ReplicaOptions r;
  r.path = path;
  r.poll_interval_ms = 10;
  o.replica_options = r;
  return o;
}

TEST(CacheReplicaOptions, TheEngineOpensTheStoreOnItsClock) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Cache cache(options_with_file(clock, dir.file("r.db")));
  const auto& store = cache.options().replica;
  ASSERT_TRUE(store);
  EXPECT_EQ(store->clock(), std::static_pointer_cast<Clock>(clock));
  EXPECT_EQ(store->path(), std::filesystem::path(dir.file("r.db")).lexically_normal().string());
  ASSERT_TRUE(cache.options().replica_options);
  EXPECT_EQ(cache.options().replica_options->path, store->path());
  cache.set("k", "v");
  store->flush();
  cache.clear();
  FlightResult r = read_through_cache(cache, "k");
  EXPECT_EQ(r.status, Status::Value);
  EXPECT_EQ(value_of(r.value), "v");
  // A private engine opens its own store, even on the same file.
  Cache other(options_with_file(clock, dir.file("r.db")));
  EXPECT_NE(other.options().replica, store);
}

TEST(CacheReplicaOptions, ASharedNameOpensItsFileOnce) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  const std::string name = "replica-options-once";
  CacheOptions o = options_with_file(clock, dir.file("r.db"));
  std::vector<std::thread> threads;
  std::vector<const void*> ids(8);
  std::vector<std::shared_ptr<ReplicaStore>> stores(8);
  std::vector<std::optional<Cache>> handles(8);
  for (std::size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      handles[i].emplace(Cache::shared(name, o));
      ids[i] = handles[i]->id();
      stores[i] = handles[i]->options().replica;
    });
  for (auto& t : threads) t.join();
  ASSERT_TRUE(stores[0]);
  for (std::size_t i = 1; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i], ids[0]);
    EXPECT_EQ(stores[i], stores[0]);
  }
  // A joiner never opens the file: options that could not open a store at all are not even used.
  CacheOptions unopenable = o;
  unopenable.replica_options->readers = 0;  // InvalidArgument if a store were opened with it
  Cache joined = Cache::shared(name, unopenable);
  EXPECT_EQ(joined.id(), ids[0]);
  EXPECT_EQ(joined.options().replica, stores[0]);
  EXPECT_EQ(kind_of([&] { Cache{unopenable}; }), ErrorKind::InvalidArgument);
  // Without replica options a handle joins whatever the engine has.
  CacheOptions plain = Tier::cache_options(clock, nullptr, 1 << 20);
  EXPECT_EQ(Cache::shared(name, plain).options().replica, stores[0]);
}

TEST(CacheReplicaOptions, ASharedNameConflictsOnAnotherFile) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  Cache a = Cache::shared("replica-options-conflict", options_with_file(clock, dir.file("a.db")));
  auto other = [&] { Cache::shared("replica-options-conflict", options_with_file(clock, dir.file("b.db"))); };
  EXPECT_EQ(kind_of(other), ErrorKind::Conflict);
  const std::string m = message_of(other);
  EXPECT_NE(m.find(dir.file("a.db")), std::string::npos) << m;
  EXPECT_NE(m.find(dir.file("b.db")), std::string::npos) << m;
  EXPECT_FALSE(std::filesystem::exists(dir.file("b.db")));  // never opened

  Cache memory = Cache::shared("replica-options-memory", Tier::cache_options(clock, nullptr, 1 << 20));
  auto with_file = [&] { Cache::shared("replica-options-memory", options_with_file(clock, dir.file("c.db"))); };
  EXPECT_EQ(kind_of(with_file), ErrorKind::Conflict);
  EXPECT_NE(message_of(with_file).find("without a replica"), std::string::npos);
  EXPECT_NE(message_of(with_file).find(dir.file("c.db")), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("c.db")));
  // The max_bytes rule comes first, as before.
  CacheOptions bigger = options_with_file(clock, dir.file("a.db"));
  bigger.max_bytes *= 2;
  EXPECT_EQ(kind_of([&] { Cache::shared("replica-options-conflict", bigger); }), ErrorKind::Conflict);
}

TEST(CacheReplicaOptions, RelativeAndAbsolutePathsOfOneFileAreTheSame) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  const std::filesystem::path absolute = dir.file("r.db");
  Cache a = Cache::shared("replica-options-paths", options_with_file(clock, absolute.string()));
  const std::string relative = std::filesystem::relative(absolute, std::filesystem::current_path()).string();
  ASSERT_NE(relative.front(), '/');
  const std::string unnormal = (absolute.parent_path() / "sub" / ".." / "." / "r.db").string();
  for (const std::string& path : {relative, unnormal}) {
    Cache b = Cache::shared("replica-options-paths", options_with_file(clock, path));
    EXPECT_EQ(b.id(), a.id()) << path;
  }
  // A relative path opens the file it names, against the current directory.
  Cache c = Cache::shared("replica-options-relative", options_with_file(clock, relative));
  EXPECT_EQ(c.options().replica->path(), absolute.string());
}

TEST(CacheReplicaOptions, StoreAndOptionsTogetherAreInvalid) {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  CacheOptions o = options_with_file(clock, dir.file("a.db"));
  o.replica = Tier::open_store(dir.file("b.db"), clock, 1 << 20);
  EXPECT_EQ(kind_of([&] { Cache{o}; }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { Cache::shared("replica-options-both", o); }), ErrorKind::InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("a.db")));
}

TEST(CacheReplicaOptions, TheStoreClockMustBeTheCachesClock) {
  TempDir dir;
  CacheOptions o = options_with_file(std::make_shared<ManualClock>(), dir.file("a.db"));
  o.replica_options->clock = std::make_shared<ManualClock>();
  EXPECT_EQ(kind_of([&] { Cache{o}; }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { Cache::shared("replica-options-clock", o); }), ErrorKind::InvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("a.db")));
  o.replica_options->clock = o.clock;  // the very same object
  EXPECT_EQ(Cache{o}.options().replica->clock(), o.clock);
}

TEST(CacheReplicaOptions, OpeningErrorsNameTheFile) {
  TempDir dir;
  const std::string path = dir.file("garbage.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_TRUE(f);
    const std::string junk(8192, 'x');
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
  auto clock = std::make_shared<ManualClock>();
  auto open = [&] { Cache::shared("replica-options-garbage", options_with_file(clock, path)); };
  EXPECT_EQ(kind_of(open), ErrorKind::Corrupt);
  EXPECT_NE(message_of(open).find(path), std::string::npos);
  // Nothing was registered: the name is free for an engine that does open.
  Cache fine = Cache::shared("replica-options-garbage", options_with_file(clock, dir.file("fine.db")));
  EXPECT_TRUE(fine.options().replica);
}

}  // namespace
}  // namespace zcache::test
