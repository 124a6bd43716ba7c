// The sweep: rows past their last window leave the file every sweep_interval_ms even when the
// budget does not need room — while the store is idle too, in batches, across processes'
// totals — and never while sweep_interval_ms is 0.
#include "replica_test_support.h"

namespace zcache::test {
namespace {

class ReplicaSweep : public ::testing::Test {
 protected:
  ReplicaSweep() : o_(dir_.file("r.db")) { o_.options.sweep_interval_ms = 5; }

  // 10 entries past every window after 1.5 s, 5 that live for an hour.
  void write_mixed(ReplicaStore& store) {
    for (int i = 0; i < 10; ++i) store.write(entry("short" + std::to_string(i), std::string(100, 's'), kT0, 1000, 500, 0, {"s"}));
    for (int i = 0; i < 5; ++i) store.write(entry("long" + std::to_string(i), std::string(100, 'l'), kT0, 3'600'000, 0, 0, {"l"}));
    store.flush();
  }

  TempDir dir_;
  ClockedOptions o_;
};

TEST_F(ReplicaSweep, AnIdleStoreDeletesExpiredRowsAndKeepsTheTotals) {
  ReplicaStore store(o_.options);
  write_mixed(store);
  EXPECT_EQ(store.stats().entries, 15u);
  o_.clock->advance(2000);
  ASSERT_TRUE(eventually([&] { return store.stats().entries == 5; })) << store.stats().entries;
  const ReplicaStats s = store.stats();
  EXPECT_EQ(s.expirations, 10u);
  EXPECT_EQ(s.evictions, 0u);
  EXPECT_EQ(s.bytes, 5 * replica_charge(entry("long0", std::string(100, 'l'), kT0, 1, 0, 0, {"l"})));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(store.read_sync("long" + std::to_string(i)).entry) << i;
  RawDb raw(o_.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), 5);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM tags"), 5);
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT sum(size) FROM entries"));
  EXPECT_EQ(raw.integer("SELECT entry_count FROM meta"), 5);
}

TEST_F(ReplicaSweep, ManyExpiredRowsGoInSeveralTransactions) {
  ReplicaStore store(o_.options);
  for (int i = 0; i < 2500; ++i) store.write(entry("k" + std::to_string(i), "v", kT0, 10, 0));
  store.write(entry("keep", "v", kT0, 3'600'000, 0));
  store.flush();
  const std::uint64_t before = store.stats().transactions;
  o_.clock->advance(100);
  ASSERT_TRUE(eventually([&] { return store.stats().entries == 1; })) << store.stats().entries;
  EXPECT_EQ(store.stats().expirations, 2500u);
  EXPECT_GE(store.stats().transactions - before, 3u);  // at most 1000 rows per transaction
  EXPECT_TRUE(store.read_sync("keep").entry);
}

TEST_F(ReplicaSweep, WritesKeepBeingServedWhileASweepCatchesUp) {
  o_.options.sweep_interval_ms = 1;
  ReplicaStore store(o_.options);
  for (int i = 0; i < 3000; ++i) store.write(entry("old" + std::to_string(i), "v", kT0, 10, 0));
  store.flush();
  o_.clock->advance(100);
  for (int i = 0; i < 300; ++i) {
    store.write(entry("new" + std::to_string(i), "v", kT0 + 100));
    if (i % 50 == 0) store.flush();
  }
  store.flush();
  ASSERT_TRUE(eventually([&] { return store.stats().entries == 300; })) << store.stats().entries;
  for (int i = 0; i < 300; i += 37) EXPECT_TRUE(store.read_sync("new" + std::to_string(i)).entry) << i;
}

TEST_F(ReplicaSweep, ZeroIntervalLeavesExpiredRowsToTheBudget) {
  o_.options.sweep_interval_ms = 0;
  ReplicaStore store(o_.options);
  write_mixed(store);
  o_.clock->advance(10'000);
  store.write(entry("later", "v", kT0 + 10'000));  // a commit after the rows expired
  store.flush();
  EXPECT_EQ(store.stats().entries, 16u);  // still in the file (the budget has room) ...
  EXPECT_EQ(store.stats().expirations, 0u);
  EXPECT_FALSE(store.read_sync("short0").entry);  // ... but never served
}

TEST_F(ReplicaSweep, ANegativeIntervalIsRefused) {
  o_.options.sweep_interval_ms = -1;
  expect_refused(o_.options, "sweep_interval_ms");
}

}  // namespace
}  // namespace zcache::test
