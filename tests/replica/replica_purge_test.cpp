// Purges: by keys, prefix and tags, hard and soft; counts; the log and its sequence numbers;
// order against queued writes; reads racing a queued purge; the listener across stores.
#include <condition_variable>
#include <future>
#include <mutex>

#include "replica_test_support.h"

namespace zcache::test {
namespace {

struct Fixture : ::testing::Test {
  TempDir dir;
  ClockedOptions o{dir.file("r.db")};
  std::unique_ptr<ReplicaStore> store = std::make_unique<ReplicaStore>(o.options);

  void put(const std::string& key, std::vector<std::string> tags = {}, std::int64_t ttl = 60'000) {
    store->write(entry(key, "v:" + key, kT0, ttl, 600'000, 0, std::move(tags)));
  }
  bool has(const std::string& key) { return store->read_sync(key).entry.has_value(); }
};

using ReplicaPurge = Fixture;

TEST_F(ReplicaPurge, HardByKeysPrefixAndTagsCountsEachEntryOnce) {
  put("user:1", {"users"});
  put("user:2", {"users", "vip"});
  put("item:1", {"vip"});
  put("item:2");
  put("other");
  store->flush();
  PurgeSelector s;
  s.keys = {"item:2", "user:1", "missing"};
  s.prefix = "user:";
  s.tags = {"vip"};
  const std::uint64_t before = store->stats().bytes;
  const PurgeResult r = store->purge_sync(s);
  EXPECT_EQ(r.objects_purged, 4u);  // user:1, user:2, item:1, item:2
  EXPECT_EQ(r.bytes_freed, before - store->stats().bytes);
  EXPECT_FALSE(has("user:1"));
  EXPECT_FALSE(has("user:2"));
  EXPECT_FALSE(has("item:1"));
  EXPECT_FALSE(has("item:2"));
  EXPECT_TRUE(has("other"));
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM tags"), 0);
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT coalesce(sum(size), 0) FROM entries"));
}

TEST_F(ReplicaPurge, PrefixRangeIsExact) {
  put("a");
  put("ab");
  put("abc");
  put("abd");
  put("ac");
  put(std::string("ab\xff", 3));
  put(std::string("ab\xff\xff", 4));
  put("b");
  store->flush();
  EXPECT_EQ(store->purge_sync(by_prefix("ab")).objects_purged, 5u);
  EXPECT_TRUE(has("a"));
  EXPECT_TRUE(has("ac"));
  EXPECT_TRUE(has("b"));
  EXPECT_EQ(store->purge_sync(by_prefix("\xff")).objects_purged, 0u);
}

TEST_F(ReplicaPurge, SoftMarksStaleAndKeepsServing) {
  put("k", {"t"});
  store->flush();
  o.clock->advance(1000);
  const PurgeResult r = store->purge_sync(by_tags({"t"}), PurgeMode::Soft);
  EXPECT_EQ(r.objects_purged, 1u);
  EXPECT_EQ(r.bytes_freed, 0u);
  ReplicaRead read = store->read_sync("k");
  ASSERT_TRUE(read.entry);
  EXPECT_EQ(read.entry->fresh_until, kT0 + 1000);
  EXPECT_EQ(read.entry->stale_until, kT0 + 60'000 + 600'000);
}

TEST_F(ReplicaPurge, SoftRemovesWhatIsNoLongerServable) {
  store->write(entry("k", "v", kT0, 1000, 1000, 60'000));  // only its error window is left at 5 s
  store->flush();
  o.clock->advance(5000);
  const PurgeResult r = store->purge_sync(by_keys({"k"}), PurgeMode::Soft);
  EXPECT_EQ(r.objects_purged, 1u);
  EXPECT_GT(r.bytes_freed, 0u);
  EXPECT_FALSE(has("k"));
}

TEST_F(ReplicaPurge, LogRecordsSequencesAndLastPurgeSequenceOnlyRises) {
  put("a", {"t"});
  store->purge_sync(by_tags({"t"}), PurgeMode::Hard, 7);
  store->purge_sync(by_keys({"x"}), PurgeMode::Soft, 0);  // local: no cluster sequence
  store->purge_sync(by_keys({"y"}), PurgeMode::Hard, 5);  // late: recorded, applied, max stays
  EXPECT_EQ(store->stats().last_purge_sequence, 7);
  EXPECT_EQ(store->stats().purges, 3u);
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.text("SELECT group_concat(coalesce(cluster_sequence, 'null') || ':' || mode || ':' || objects_purged, ',') "
                     "FROM (SELECT * FROM purge_log ORDER BY id)"),
            "7:0:1,null:1:0,5:0:0");
  EXPECT_EQ(raw.integer("SELECT last_purge_sequence FROM meta"), 7);
}

TEST_F(ReplicaPurge, LogIsPrunedToItsLimit) {
  store.reset();
  o.options.purge_log_limit = 5;
  store = std::make_unique<ReplicaStore>(o.options);
  for (int i = 1; i <= 12; ++i) store->purge_sync(by_keys({"k"}), PurgeMode::Hard, i);
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM purge_log"), 5);
  EXPECT_EQ(raw.integer("SELECT min(cluster_sequence) FROM purge_log"), 8);
}

TEST_F(ReplicaPurge, BeatsWritesQueuedBeforeItButNotAfter) {
  put("k1", {"t"});
  put("k2", {"t"});
  std::promise<ReplicaPurgeDone> done;
  store->purge(by_tags({"t"}), PurgeMode::Hard, 0, [&](ReplicaPurgeDone d) { done.set_value(std::move(d)); });
  put("k2", {"t"});  // after the purge: survives it
  store->flush();
  ReplicaPurgeDone d = done.get_future().get();
  EXPECT_FALSE(d.error);
  EXPECT_GT(d.log_id, 0);
  EXPECT_FALSE(has("k1"));
  EXPECT_TRUE(has("k2"));
}

TEST_F(ReplicaPurge, AWriteAfterAPurgeIsNotMergedIntoTheOneBeforeIt) {
  RawDb other(o.options.path);
  other.exec("BEGIN IMMEDIATE");  // nothing commits until COMMIT below: all three ops queue up
  put("k");
  store->purge(by_keys({"k"}), PurgeMode::Hard, 0, nullptr);
  store->write(entry("k", "after", kT0));
  EXPECT_EQ(store->read_sync("k").entry->value, "after");
  other.exec("COMMIT");
  store->flush();
  EXPECT_EQ(store->read_sync("k").entry->value, "after");
}

TEST_F(ReplicaPurge, ReadsDoNotSeeWhatAQueuedPurgeCovers) {
  put("hard", {"t"});
  put("soft");
  put("kept");
  store->flush();
  RawDb other(o.options.path);
  other.exec("BEGIN IMMEDIATE");  // the purges below stay queued: the file still has the rows
  o.clock->advance(10);
  store->purge(by_tags({"t"}), PurgeMode::Hard, 0, nullptr);
  store->purge(by_prefix("so"), PurgeMode::Soft, 0, nullptr);
  EXPECT_FALSE(has("hard"));
  ReplicaRead soft = store->read_sync("soft");
  ASSERT_TRUE(soft.entry);
  EXPECT_EQ(soft.entry->fresh_until, kT0 + 10);
  EXPECT_TRUE(has("kept"));
  other.exec("COMMIT");
  store->flush();
  EXPECT_FALSE(has("hard"));
  EXPECT_EQ(store->read_sync("soft").entry->fresh_until, kT0 + 10);
}

TEST_F(ReplicaPurge, AnotherStoreOnTheFileSeesThePurgeAndItsListenerIsCalled) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ReplicaPurgeEvent> events;  // declared before the stores that call into them
  ReplicaStore second(o.options);
  second.set_purge_listener([&](const ReplicaPurgeEvent& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
    cv.notify_all();
  });
  std::vector<ReplicaPurgeEvent> own;
  store->set_purge_listener([&](const ReplicaPurgeEvent& e) {
    std::lock_guard lock(mu);
    own.push_back(e);
  });
  put("k", {"t"});
  store->flush();
  EXPECT_TRUE(second.read_sync("k").entry);
  store->purge_sync(by_tags({"t"}), PurgeMode::Soft, 99);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !events.empty(); }));
    EXPECT_EQ(events[0].cluster_sequence, 99);
    EXPECT_EQ(events[0].mode, PurgeMode::Soft);
    EXPECT_EQ(events[0].selector.tags, std::vector<std::string>{"t"});
    EXPECT_EQ(events[0].at_ms, kT0);
  }
  EXPECT_EQ(second.read_sync("k").entry->fresh_until, kT0);
  second.close();
  store->close();
  std::lock_guard lock(mu);
  EXPECT_TRUE(own.empty());  // a store is not told of its own purges
  EXPECT_EQ(events.size(), 1u);
}

}  // namespace
}  // namespace zcache::test
