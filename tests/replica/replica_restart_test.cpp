// A restart keeps entries, tags, budgets and windows: windows are wall-clock times, so an entry
// fresh before a restart turns stale and then goes at the same moments after it.
#include "replica_test_support.h"

namespace zcache::test {
namespace {

TEST(ReplicaRestart, EntriesAndWindowsSurviveAndKeepTheirMeaning) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaEntry e = entry("k", "value", kT0, 10'000, 10'000, 20'000, {"tag"}, 3);
  {
    ReplicaStore store(o.options);
    store.write(e);
    for (int i = 0; i < 100; ++i) store.write(entry("other" + std::to_string(i), "x", kT0, 1'000'000));
    store.flush();
  }
  // Reopen 5 s later: still fresh.
  o.clock->set(kT0 + 5'000);
  {
    ReplicaStore store(o.options);
    ReplicaRead r = store.read_sync("k");
    ASSERT_TRUE(r.entry);
    EXPECT_EQ(r.entry->value, "value");
    EXPECT_EQ(r.entry->encoding, 3);
    EXPECT_EQ(r.entry->tags, std::vector<std::string>{"tag"});
    EXPECT_LT(o.clock->now_ms(), r.entry->fresh_until);
    EXPECT_EQ(store.stats().entries, 101u);
    std::uint64_t bytes = replica_charge(e);
    for (int i = 0; i < 100; ++i) bytes += replica_charge(entry("other" + std::to_string(i), "x", kT0));
    EXPECT_EQ(store.stats().bytes, bytes);
  }
  // Reopen at 15 s: past fresh, within stale: served (the caller sees it is stale).
  o.clock->set(kT0 + 15'000);
  {
    ReplicaStore store(o.options);
    ReplicaRead r = store.read_sync("k");
    ASSERT_TRUE(r.entry);
    EXPECT_GE(o.clock->now_ms(), r.entry->fresh_until);
    EXPECT_LT(o.clock->now_ms(), r.entry->stale_until);
  }
  // At 25 s: past stale, within stale-if-error (fresh + 20 s = 30 s): still returned.
  o.clock->set(kT0 + 25'000);
  {
    ReplicaStore store(o.options);
    ReplicaRead r = store.read_sync("k");
    ASSERT_TRUE(r.entry);
    EXPECT_GE(o.clock->now_ms(), r.entry->stale_until);
    EXPECT_LT(o.clock->now_ms(), r.entry->error_until);
  }
  // At 31 s: past every window: gone, while the long-lived ones remain.
  o.clock->set(kT0 + 31'000);
  {
    ReplicaStore store(o.options);
    EXPECT_FALSE(store.read_sync("k").entry);
    EXPECT_TRUE(store.read_sync("other7").entry);
  }
}

TEST(ReplicaRestart, TagsAndPurgeSequenceSurvive) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  {
    ReplicaStore store(o.options);
    store.write(entry("a", "1", kT0, 60'000, 0, 0, {"red"}));
    store.write(entry("b", "2", kT0, 60'000, 0, 0, {"blue"}));
    store.purge_sync(by_keys({"nothing"}), PurgeMode::Hard, 41);
  }
  {
    ReplicaStore store(o.options);
    EXPECT_EQ(store.stats().last_purge_sequence, 41);
    EXPECT_EQ(store.purge_sync(by_tags({"red"}), PurgeMode::Hard, 42).objects_purged, 1u);
    EXPECT_FALSE(store.read_sync("a").entry);
    EXPECT_TRUE(store.read_sync("b").entry);
    EXPECT_EQ(store.stats().last_purge_sequence, 42);
  }
}

TEST(ReplicaRestart, ReopenDoesNotRescan) {
  // The file's totals come from the meta row: reopening reports them without reading entries.
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  {
    ReplicaStore store(o.options);
    for (int i = 0; i < 1000; ++i) store.write(entry("k" + std::to_string(i), std::string(100, 'v'), kT0));
    store.flush();
  }
  RawDb raw(o.options.path);
  raw.exec("UPDATE meta SET entry_count = 123456");  // a marker only the meta row can carry
  ReplicaStore store(o.options);
  EXPECT_EQ(store.stats().entries, 123456u);
}

}  // namespace
}  // namespace zcache::test
