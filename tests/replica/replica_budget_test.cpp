// The byte budget: it holds after every transaction, the meta row equals the rows' sum, expired
// rows go before live ones, and disk hits keep entries (LRU by last_access).
#include "replica_test_support.h"

namespace zcache::test {
namespace {

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%05d", i);
  return buf;
}

TEST(ReplicaBudget, HoldsAndMetaMatchesTheRows) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"), 64 * 1024);
  ReplicaStore store(o.options);
  const std::uint64_t per = replica_charge(entry(key(0), std::string(1000, 'v'), kT0, 60'000, 0, 0, {"t"}));
  for (int i = 0; i < 1000; ++i) {
    store.write(entry(key(i), std::string(1000, 'v'), kT0, 60'000, 0, 0, {"t"}));
    if (i % 97 == 0) {
      store.flush();
      EXPECT_LE(store.stats().bytes, o.options.max_bytes);
    }
  }
  store.flush();
  const ReplicaStats s = store.stats();
  EXPECT_LE(s.bytes, o.options.max_bytes);
  EXPECT_GT(s.bytes, o.options.max_bytes - per);  // evicts no more than needed
  EXPECT_EQ(s.entries, s.bytes / per);
  EXPECT_GT(s.evictions, 0u);
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT sum(size) FROM entries"));
  EXPECT_EQ(raw.integer("SELECT entry_count FROM meta"), raw.integer("SELECT count(*) FROM entries"));
  EXPECT_EQ(raw.integer("SELECT count(*) FROM tags"), raw.integer("SELECT count(*) FROM entries"));
}

TEST(ReplicaBudget, ExpiredRowsGoFirst) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"), 20 * 1100);
  ReplicaStore store(o.options);
  // 10 long-lived entries written first (oldest last_access), then 10 short-lived ones.
  for (int i = 0; i < 10; ++i) store.write(entry("long" + std::to_string(i), std::string(1000, 'l'), kT0, 1'000'000));
  store.flush();
  o.clock->advance(1);
  for (int i = 0; i < 10; ++i) store.write(entry("short" + std::to_string(i), std::string(1000, 's'), kT0, 100, 100));
  store.flush();
  EXPECT_EQ(store.stats().entries, 20u);
  o.clock->advance(1000);  // the short ones are past every window now
  for (int i = 0; i < 5; ++i) store.write(entry("new" + std::to_string(i), std::string(1000, 'n'), kT0 + 1001));
  store.flush();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(store.read_sync("long" + std::to_string(i)).entry) << i;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(store.read_sync("new" + std::to_string(i)).entry) << i;
  EXPECT_GE(store.stats().expirations, 5u);
  EXPECT_EQ(store.stats().evictions, 0u);
}

TEST(ReplicaBudget, LeastRecentlyAccessedGoesFirstAndDiskHitsCount) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"), 10 * 1100);
  o.options.touch_granularity_ms = 0;
  ReplicaStore store(o.options);
  for (int i = 0; i < 10; ++i) {
    store.write(entry(key(i), std::string(1000, 'v'), kT0, 1'000'000));
    store.flush();
    o.clock->advance(10);  // key(0) is the least recent, key(9) the most
  }
  // Read the three oldest: their last_access moves to now (written with the next batch).
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.read_sync(key(i)).entry);
  store.flush();
  o.clock->advance(10);
  for (int i = 10; i < 13; ++i) store.write(entry(key(i), std::string(1000, 'v'), kT0, 1'000'000));
  store.flush();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(store.read_sync(key(i)).entry) << "read entry " << i << " was evicted";
  for (int i = 3; i < 6; ++i) EXPECT_FALSE(store.read_sync(key(i)).entry) << "unread entry " << i << " was kept";
  EXPECT_EQ(store.stats().evictions, 3u);
}

TEST(ReplicaBudget, AnEntryLargerThanTheBudgetIsRefused) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"), 4096);
  ReplicaStore store(o.options);
  store.write(entry("k", "small", kT0));
  store.flush();
  EXPECT_FALSE(store.write(entry("k", std::string(5000, 'x'), kT0)));
  store.flush();
  EXPECT_FALSE(store.read_sync("k").entry);  // the older copy is erased, never served
  EXPECT_EQ(store.stats().dropped, 1u);
}

TEST(ReplicaBudget, TwoStoresShareOneBudget) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"), 30 * 1100);
  ReplicaStore a(o.options), b(o.options);
  for (int i = 0; i < 40; ++i) {
    (i % 2 ? a : b).write(entry(key(i), std::string(1000, 'v'), kT0));
    (i % 2 ? a : b).flush();
  }
  RawDb raw(o.options.path);
  EXPECT_LE(raw.integer("SELECT total_bytes FROM meta"), 30 * 1100);
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT sum(size) FROM entries"));
}

}  // namespace
}  // namespace zcache::test
