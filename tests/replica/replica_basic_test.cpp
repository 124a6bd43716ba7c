// Writes, reads (blocking and by callback), erase, what a read sees of the queue, and close().
#include <future>

#include "replica_test_support.h"

namespace zcache::test {
namespace {

TEST(ReplicaBasic, WriteFlushReadRoundTripsEverything) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  ReplicaEntry e = entry("k1", std::string("v\0alue", 6), kT0, 1000, 2000, 5000, {"a", "b"}, 7);
  ASSERT_TRUE(store.write(e));
  store.flush();
  ReplicaRead r = store.read_sync("k1");
  ASSERT_FALSE(r.error);
  ASSERT_TRUE(r.entry);
  EXPECT_EQ(r.entry->key, "k1");
  EXPECT_EQ(r.entry->value, std::string("v\0alue", 6));
  EXPECT_EQ(r.entry->encoding, 7);
  EXPECT_EQ(r.entry->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.entry->fresh_until, kT0 + 1000);
  EXPECT_EQ(r.entry->stale_until, kT0 + 3000);
  EXPECT_EQ(r.entry->error_until, kT0 + 6000);
  EXPECT_FALSE(store.read_sync("absent").entry);
  const ReplicaStats s = store.stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.bytes, replica_charge(e));
  EXPECT_EQ(s.committed, 1u);
}

TEST(ReplicaBasic, ReadCallbackRunsOnAReaderThread) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.readers = 2;
  ReplicaStore store(o.options);
  store.write(entry("k", "v", kT0));
  store.flush();
  std::promise<std::pair<ReplicaRead, std::thread::id>> p;
  store.read("k", [&](ReplicaRead r) { p.set_value({std::move(r), std::this_thread::get_id()}); });
  auto [r, thread] = p.get_future().get();
  ASSERT_TRUE(r.entry);
  EXPECT_EQ(r.entry->value, "v");
  EXPECT_NE(thread, std::this_thread::get_id());
}

TEST(ReplicaBasic, ManyConcurrentReadsAllAnswered) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.readers = 3;
  ReplicaStore store(o.options);
  for (int i = 0; i < 200; ++i) store.write(entry("k" + std::to_string(i), "v" + std::to_string(i), kT0));
  store.flush();
  std::atomic<int> hits{0}, answered{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i)
        store.read("k" + std::to_string((i + t * 50) % 250), [&](ReplicaRead r) {
          if (r.entry) ++hits;
          ++answered;
        });
    });
  for (auto& c : callers) c.join();
  ASSERT_TRUE(eventually([&] { return answered.load() == 800; }));
  EXPECT_EQ(hits.load(), 650);  // keys 200..249 are absent: 0 + 50 + 50 + 50 reads miss
}

TEST(ReplicaBasic, ReadsSeeQueuedWritesAndErasesBeforeTheyCommit) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  store.write(entry("k", "old", kT0));
  store.flush();
  // Hold the write lock from another connection: the writer cannot commit what follows.
  RawDb other(o.options.path);
  other.exec("BEGIN IMMEDIATE");
  store.write(entry("k", "new", kT0));
  EXPECT_EQ(store.read_sync("k").entry->value, "new");
  store.erase("k");
  EXPECT_FALSE(store.read_sync("k").entry);
  store.write(entry("k", "newest", kT0));
  EXPECT_EQ(store.read_sync("k").entry->value, "newest");
  other.exec("COMMIT");
  store.flush();
  EXPECT_EQ(store.read_sync("k").entry->value, "newest");
  EXPECT_EQ(store.stats().entries, 1u);
}

TEST(ReplicaBasic, EraseRemovesTheRowAndItsTags) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  store.write(entry("k", "v", kT0, 60'000, 0, 0, {"t"}));
  store.flush();
  store.erase("k");
  store.flush();
  EXPECT_FALSE(store.read_sync("k").entry);
  EXPECT_EQ(store.stats().bytes, 0u);
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM tags"), 0);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), 0);
}

TEST(ReplicaBasic, OverwriteReplacesValueTagsAndSize) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  store.write(entry("k", std::string(100, 'a'), kT0, 60'000, 0, 0, {"x", "y"}));
  store.flush();
  ReplicaEntry second = entry("k", "b", kT0, 60'000, 0, 0, {"z"});
  store.write(second);
  store.flush();
  EXPECT_EQ(store.read_sync("k").entry->tags, std::vector<std::string>{"z"});
  EXPECT_EQ(store.stats().bytes, replica_charge(second));
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.text("SELECT group_concat(CAST(tag AS TEXT)) FROM tags"), "z");
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT sum(size) FROM entries"));
}

TEST(ReplicaBasic, AnEntryPastItsWindowsIsNotStoredAndErasesTheOlderCopy) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  store.write(entry("k", "v", kT0));
  store.flush();
  ReplicaEntry dead = entry("k", "dead", kT0 - 10'000, 1000, 1000);
  EXPECT_TRUE(store.write(dead));
  store.flush();
  EXPECT_FALSE(store.read_sync("k").entry);
  EXPECT_EQ(store.stats().entries, 0u);
}

TEST(ReplicaBasic, BadArgumentsAreInvalidArgument) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  try {
    store.write(entry("", "v", kT0));
    FAIL() << "an empty key was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  }
  EXPECT_THROW(store.purge_sync(PurgeSelector{}), Error);
  EXPECT_THROW(store.write(entry("k", "v", kT0, 1000, 0, 0, {""})), Error);
  ReplicaOptions bad = o.options;
  bad.readers = 0;
  EXPECT_THROW(ReplicaStore{bad}, Error);
}

TEST(ReplicaBasic, CloseCommitsWhatIsQueuedAndIsIdempotent) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  {
    ReplicaStore store(o.options);
    for (int i = 0; i < 500; ++i) store.write(entry("k" + std::to_string(i), "v", kT0));
    store.close();
    store.close();
    EXPECT_FALSE(store.write(entry("late", "v", kT0)));
    EXPECT_THROW(store.read("k1", [](ReplicaRead) {}), Error);
    EXPECT_THROW(store.flush(), Error);
    try {
      store.purge_sync(by_keys({"k1"}));
      FAIL();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Closed);
    }
  }
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), 500);
}

TEST(ReplicaBasic, BlockingCallsFromCallbacksAreRefused) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  std::promise<std::string> p;
  store.read("k", [&](ReplicaRead) {
    try {
      store.flush();
      p.set_value("flush returned");
    } catch (const Error& e) {
      p.set_value(std::string(e.code()));
    }
  });
  EXPECT_EQ(p.get_future().get(), "invalid_argument");
}

}  // namespace
}  // namespace zcache::test
