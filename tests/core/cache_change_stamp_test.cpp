// Change stamps and record_hits(): what lets a binding serve a decoded value again without asking
// the engine. A stamp must move on every change that could alter the answer for its key, and
// record_hits() must count like the lookups it stands for.
#include "test_support.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace zcache::test {
namespace {

using State = LookupResult::State;

// True while a binding holding `stamp` may still serve what it decoded.
bool still_valid(const Cache& cache, ChangeStamp stamp) {
  return cache.change_counts().load(stamp.shard) == stamp.count;
}

TEST(CacheChangeStamp, OneCounterPerShardAndStampsNameTheKeysShard) {
  ClockedCache c(sized(64 << 20, 8));
  EXPECT_EQ(c.cache.change_counts().size, 8u);
  c.cache.set("k", "v", windows(1000));
  GetResult g = c.cache.get("k");
  LookupResult l = c.cache.lookup("k", nullptr);
  ASSERT_EQ(l.state, State::Fresh);
  EXPECT_LT(g.stamp.shard, 8u);
  EXPECT_EQ(g.stamp.shard, l.stamp.shard);
  EXPECT_EQ(g.stamp.count, l.stamp.count);  // reads change nothing
  EXPECT_TRUE(still_valid(c.cache, l.stamp));
}

TEST(CacheChangeStamp, EveryKindOfChangeMovesTheStamp) {
  struct Case {
    const char* name;
    void (*change)(ClockedCache&);
  };
  const Case cases[] = {
      {"set of the key", [](ClockedCache& c) { c.cache.set("k", "v2", windows(1000)); }},
      {"erase", [](ClockedCache& c) { c.cache.erase("k"); }},
      {"hard purge by key", [](ClockedCache& c) { c.cache.purge(by_keys({"k"})); }},
      {"soft purge by tag", [](ClockedCache& c) { c.cache.purge(by_tags({"t"}), PurgeMode::Soft); }},
      {"prefix purge", [](ClockedCache& c) { c.cache.purge(by_prefix("k")); }},
      {"clear", [](ClockedCache& c) { c.cache.clear(); }},
      {"expiry", [](ClockedCache& c) { c.advance(10'000); }},
  };
  for (const Case& tc : cases) {
    ClockedCache c(sized(64 << 20, 1));  // one shard: every key shares the counter
    EntryOptions o = windows(1000, 1000);
    o.tags = {"t"};
    c.cache.set("k", "v", o);
    const ChangeStamp s = c.cache.get("k").stamp;
    ASSERT_TRUE(still_valid(c.cache, s)) << tc.name;
    tc.change(c);
    EXPECT_FALSE(still_valid(c.cache, s)) << tc.name;
  }
}

TEST(CacheChangeStamp, AFillAndAnEvictionMoveTheStamp) {
  ClockedCache c(sized(64 << 20, 1));
  LookupResult miss = c.cache.lookup("k", nullptr);
  ASSERT_EQ(miss.state, State::Miss);
  const ChangeStamp before = c.cache.get("other").stamp;
  c.cache.fill(std::move(miss.ticket), "v", windows(1000));
  EXPECT_FALSE(still_valid(c.cache, before));

  ClockedCache small(sized(16 * 1024, 1));
  small.cache.set("a", std::string(4000, 'a'));
  const ChangeStamp s = small.cache.get("a").stamp;
  for (int i = 0; i < 20; ++i) small.cache.set("b" + std::to_string(i), std::string(4000, 'b'));
  EXPECT_GT(small.cache.stats().evictions, 0u);
  EXPECT_FALSE(still_valid(small.cache, s));
}

TEST(CacheChangeStamp, ASoftPurgeOfAStaleEntryOrAMissChangesNothing) {
  ClockedCache c(sized(64 << 20, 1));
  c.cache.set("k", "v", windows(1000, 60'000));
  c.clock->advance(2000);  // stale now: a soft purge has nothing to lower
  const ChangeStamp s = c.cache.get("k").stamp;
  c.cache.purge(by_keys({"k"}), PurgeMode::Soft);
  c.cache.purge(by_keys({"absent"}));
  EXPECT_TRUE(still_valid(c.cache, s));
}

TEST(CacheChangeStamp, RecordHitsCountsEveryHitReported) {
  ClockedCache c;
  c.cache.set("a", "1", windows(1000));
  c.cache.set("b", "2", windows(1000));
  const std::uint64_t a = c.cache.get("a").stamp.key_hash;
  const std::uint64_t b = c.cache.get("b").stamp.key_hash;
  const std::uint64_t hits = c.cache.stats().hits;
  const std::uint64_t both[] = {a, b, a};
  c.cache.record_hits(both, 4, 12);  // 12 hits, sampled one in four
  EXPECT_EQ(c.cache.stats().hits, hits + 12);
  c.cache.set("a", "1 again", windows(1000));  // `a` is not the key's entry any more
  c.cache.erase("b");
  c.cache.record_hits(both, 1, 3);  // counted; the keys gone are not fed to the policy
  EXPECT_EQ(c.cache.stats().hits, hits + 15);
  c.cache.record_hits({}, 1, 0);
}

TEST(CacheChangeStamp, RecordedHitsProtectAnEntryFromEvictionLikeLookups) {
  // A small cache, one shard: "hot" is read (only through record_hits) between the reads of other
  // keys; W-TinyLFU must keep it as it would for real lookups.
  ClockedCache c(sized(64 * 1024, 1));
  c.cache.set("hot", std::string(500, 'h'));
  const std::uint64_t hit[] = {c.cache.get("hot").stamp.key_hash};  // the only lookup of "hot"
  // The other keys come round again and again (a pool four times what fits), so that their
  // frequency passes what "hot" had from its one lookup.
  for (int i = 0; i < 8000 && c.cache.contains("hot"); ++i) {
    c.cache.record_hits(hit, 3, 3);
    const std::string key = "cold" + std::to_string(i % 400);
    if (!c.cache.get(key).value) c.cache.set(key, std::string(500, 'c'));
  }
  EXPECT_TRUE(c.cache.contains("hot"));
  EXPECT_GT(c.cache.stats().evictions, 1000u);
}

TEST(CacheChangeStamp, OnTheSystemClockSampledHitsWaitForMaintenanceAndAreNeverLost) {
  // With a maintenance thread, the policy gets the sample on its next pass (or run_maintenance);
  // the counts are there at once. A full queue drops samples, never counts.
  Cache cache(sized(64 << 20, 1));
  cache.set("k", "v");
  const std::uint64_t h = cache.get("k").stamp.key_hash;
  const std::uint64_t before = cache.stats().hits;
  std::vector<std::uint64_t> many(100'000, h);
  cache.record_hits(many, 4, 400'000);
  EXPECT_EQ(cache.stats().hits, before + 400'000);
  cache.run_maintenance();
  cache.record_hits(many, 4, 1);
  EXPECT_EQ(cache.stats().hits, before + 400'001);
}

TEST(CacheChangeStamp, AStampReadConcurrentlyWithWritesNeverValidatesAReplacedEntry) {
  // Readers take (value, stamp) pairs (and report sampled hits) while a writer replaces the key;
  // whenever a reader finds its stamp still valid, the engine's current value must be the one it
  // holds.
  Cache cache(sized(64 << 20, 2));
  cache.set("k", "0");
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      while (!stop.load()) {
        GetResult g = cache.get("k");
        const std::uint64_t sample[] = {g.stamp.key_hash};
        cache.record_hits(sample, 4, 4);  // drained by the maintenance thread meanwhile
        if (!g.value || !still_valid(cache, g.stamp)) continue;
        const std::string held(g.value.value());
        GetResult now = cache.get("k");
        // The stamp was valid after `held` was read; if it is still valid after `now` was
        // read, nothing changed in between.
        if (still_valid(cache, g.stamp) && std::string(now.value.value()) != held) ++wrong;
      }
    });
  for (int i = 1; i <= 20'000; ++i) cache.set("k", std::to_string(i));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace zcache::test
