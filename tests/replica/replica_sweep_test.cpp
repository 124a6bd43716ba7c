// The sweep: rows past their last window leave the file every sweep_interval_ms even when the
// budget does not need room — while the store is idle too, in batches, across processes'
// totals — and never while sweep_interval_ms is 0.
#include "replica_test_support.h"

namespace zcache::test {
namespace {

// 10 entries past every window after 2 s, 5 that live for an hour.
void write_mixed(ReplicaStore& store) {
  for (int i = 0; i < 10; ++i) store.write(entry("short" + std::to_string(i), std::string(100, 's'), kT0, 1000, 500, 0, {"s"}));
  for (int i = 0; i < 5; ++i) store.write(entry("long" + std::to_string(i), std::string(100, 'l'), kT0, 3'600'000, 0, 0, {"l"}));
  store.flush();
}

TEST(ReplicaSweep, AnIdleStoreDeletesExpiredRowsAndKeepsTheTotals) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.sweep_interval_ms = 5;
  ReplicaStore store(o.options);
  write_mixed(store);
  EXPECT_EQ(store.stats().entries, 15u);
  o.clock->advance(2000);  // the short ones' last window (stale) ended at 1500
  ASSERT_TRUE(eventually([&] { return store.stats().entries == 5; })) << store.stats().entries;
  const ReplicaStats s = store.stats();
  EXPECT_EQ(s.expirations, 10u);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.bytes, 5 * replica_charge(entry("long0", std::string(100, 'l'), kT0, 1, 0, 0, {"l"})));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(store.read_sync("long" + std::to_string(i)).entry) << i;
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), 5);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM tags"), 5);
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT sum(size) FROM entries"));
  EXPECT_EQ(raw.integer("SELECT entry_count FROM meta"), 5);
}

TEST(ReplicaSweep, ManyExpiredRowsGoInSeveralTransactions) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.sweep_interval_ms = 5;
  ReplicaStore store(o.options);
  for (int i = 0; i < 2500; ++i) store.write(entry("k" + std::to_string(i), "v", kT0, 10, 0));
  store.write(entry("keep", "v", kT0, 3'600'000, 0));
  store.flush();
  const std::uint64_t before = store.stats().transactions;
  o.clock->advance(100);
  ASSERT_TRUE(eventually([&] { return store.stats().entries == 1; })) << store.stats().entries;
  EXPECT_EQ(store.stats().expirations, 2500u);
  EXPECT_GE(store.stats().transactions - before, 3u);  // at most 1000 rows per transaction
  EXPECT_TRUE(store.read_sync("keep").entry);
}

TEST(ReplicaSweep, WritesKeepBeingServedWhileASweepCatchesUp) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.sweep_interval_ms = 1;
  ReplicaStore store(o.options);
  for (int i = 0; i < 3000; ++i) store.write(entry("old" + std::to_string(i), "v", kT0, 10, 0));
  store.flush();
  o.clock->advance(100);
  for (int i = 0; i < 300; ++i) {
    store.write(entry("new" + std::to_string(i), "v", kT0 + 100));
    if (i % 50 == 0) store.flush();
  }
  store.flush();
  ASSERT_TRUE(eventually([&] { return store.stats().entries == 300; })) << store.stats().entries;
  for (int i = 0; i < 300; i += 37) EXPECT_TRUE(store.read_sync("new" + std::to_string(i)).entry) << i;
}

TEST(ReplicaSweep, ZeroIntervalLeavesExpiredRowsToTheBudget) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.sweep_interval_ms = 0;
  ReplicaStore store(o.options);
  write_mixed(store);
  o.clock->advance(10'000);
  store.write(entry("later", "v", kT0 + 10'000));  // a commit after the rows expired
  store.flush();
  EXPECT_EQ(store.stats().entries, 16u);  // still in the file (the budget has room) ...
  EXPECT_EQ(store.stats().expirations, 0u);
  EXPECT_FALSE(store.read_sync("short0").entry);  // ... but never served
}

TEST(ReplicaSweep, ANegativeIntervalIsRefused) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.sweep_interval_ms = -1;
  try {
    ReplicaStore store(o.options);
    FAIL() << "sweep_interval_ms -1 was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(std::string(e.what()).find("sweep_interval_ms"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace zcache::test
