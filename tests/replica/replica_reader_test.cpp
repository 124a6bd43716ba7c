// The reader pool's hand-off (core/src/replica/reader.cpp): whether readers spin for the next
// request or sleep at once, with one reader or several, every read is answered exactly once,
// including reads issued from read callbacks and reads racing close(); and the snapshot a
// reader reuses between reads (ReadSnapshot).
#include <future>

#include "replica_test_support.h"

namespace zcache::test {
namespace {

struct HandOff {
  std::uint32_t spin_us;
  std::uint32_t readers;
};

class ReplicaReaderHandOff : public ::testing::TestWithParam<HandOff> {
 protected:
  ReplicaReaderHandOff() : o_(dir_.file("r.db")) {
    o_.options.reader_spin_us = GetParam().spin_us;
    o_.options.readers = GetParam().readers;
  }
  TempDir dir_;
  ClockedOptions o_;
};

TEST_P(ReplicaReaderHandOff, BurstsFromSeveralThreadsAreAllAnswered) {
  ReplicaStore store(o_.options);
  for (int i = 0; i < 100; ++i) store.write(entry("k" + std::to_string(i), "v" + std::to_string(i), kT0));
  store.flush();
  std::atomic<int> hits{0}, answered{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&, t] {
      for (int burst = 0; burst < 5; ++burst) {
        for (int i = 0; i < 40; ++i)
          store.read("k" + std::to_string((t * 40 + i) % 120), [&](ReplicaRead r) {
            if (r.entry) ++hits;
            ++answered;
          });
        // Long enough, usually, for the readers to run dry and go through spin and sleep.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  for (auto& c : callers) c.join();
  ASSERT_TRUE(eventually([&] { return answered.load() == 600; }));
  EXPECT_EQ(hits.load(), 500);  // keys 100..119 are absent: 20 of every 120 reads miss
  EXPECT_EQ(store.stats().reads, 600u);
}

TEST_P(ReplicaReaderHandOff, ReadsIssuedFromReadCallbacksAreAnswered) {
  ReplicaStore store(o_.options);
  store.write(entry("k", "v", kT0));
  store.flush();
  std::promise<int> finished;
  std::atomic<int> hits{0};
  std::function<void(int)> next = [&](int left) {
    if (left == 0) {
      finished.set_value(hits.load());
      return;
    }
    store.read("k", [&, left](ReplicaRead r) {
      if (r.entry) ++hits;
      next(left - 1);
    });
  };
  next(200);
  EXPECT_EQ(finished.get_future().get(), 200);
}

TEST_P(ReplicaReaderHandOff, CloseAnswersOrRefusesEveryReadExactlyOnce) {
  auto store = std::make_unique<ReplicaStore>(o_.options);
  store->write(entry("k", "v", kT0));
  store->flush();
  std::atomic<int> answered{0}, refused{0}, issued{0};
  std::atomic<bool> go{true};
  std::thread caller([&] {
    while (go.load()) {
      try {
        store->read("k", [&](ReplicaRead) { ++answered; });
        ++issued;
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Closed);
        ++refused;
        return;
      }
    }
  });
  ASSERT_TRUE(eventually([&] { return answered.load() > 100; }));
  store->close();
  go = false;
  caller.join();
  EXPECT_EQ(answered.load(), issued.load());  // close() answered the reads it abandoned
  EXPECT_LE(refused.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(SpinAndReaders, ReplicaReaderHandOff,
                         ::testing::Values(HandOff{0, 1}, HandOff{0, 4}, HandOff{50, 1}, HandOff{50, 4},
                                           HandOff{10'000, 1}, HandOff{10'000, 4}),
                         [](const ::testing::TestParamInfo<HandOff>& info) {
                           return "spin" + std::to_string(info.param.spin_us) + "us_" +
                                  std::to_string(info.param.readers) + "readers";
                         });

// A reader reuses its snapshot of the file across back-to-back reads: never past a commit of
// its own store's writer.
TEST(ReplicaReader, AReusedSnapshotNeverHidesThisStoresCommits) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.reader_spin_us = 10'000;         // the reader stays awake between these reads ...
  o.options.snapshot_reuse_us = 1'000'000;  // ... and may keep one snapshot for a second
  ReplicaStore store(o.options);
  store.write(entry("k", "v0", kT0));
  store.write(entry("other", "x", kT0, 60'000, 0, 0, {"t"}));
  store.flush();
  for (int i = 1; i <= 200; ++i) {
    ASSERT_TRUE(store.read_sync("other").entry);  // opens (or keeps) a snapshot
    store.write(entry("k", "v" + std::to_string(i), kT0));
    store.flush();  // committed, and gone from the queue the reads look at
    ReplicaRead r = store.read_sync("k");
    ASSERT_TRUE(r.entry) << i;
    ASSERT_EQ(r.entry->value, "v" + std::to_string(i));
  }
  store.purge_sync(by_tags({"t"}));
  EXPECT_FALSE(store.read_sync("other").entry);
}

TEST(ReplicaReader, WithoutReuseAnotherStoresCommitIsSeenByTheNextRead) {
  TempDir dir;
  ClockedOptions a(dir.file("r.db"));
  a.options.reader_spin_us = 10'000;
  a.options.snapshot_reuse_us = 0;
  ClockedOptions b(dir.file("r.db"));
  b.clock = a.clock;
  b.options.clock = a.clock;
  ReplicaStore reader(a.options), writer(b.options);
  for (int i = 0; i < 100; ++i) {
    writer.write(entry("k", "v" + std::to_string(i), kT0));
    writer.flush();
    ReplicaRead r = reader.read_sync("k");
    ASSERT_TRUE(r.entry) << i;
    ASSERT_EQ(r.entry->value, "v" + std::to_string(i));
  }
}

TEST(ReplicaReader, ASleepingReaderHoldsNoSnapshot) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.reader_spin_us = 0;
  o.options.snapshot_reuse_us = 1'000'000;
  ReplicaStore store(o.options);
  for (int i = 0; i < 100; ++i) store.write(entry("k" + std::to_string(i), std::string(1000, 'v'), kT0));
  store.flush();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store.read_sync("k" + std::to_string(i)).entry);
  // A snapshot left open would keep a TRUNCATE checkpoint busy (and the WAL growing) forever.
  RawDb raw(o.options.path);
  EXPECT_TRUE(eventually([&] { return raw.integer("PRAGMA wal_checkpoint(TRUNCATE)") == 0; }));  // busy = 0
}

TEST(ReplicaReader, SpinLongerThanTenMillisecondsIsRefused) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.reader_spin_us = 10'001;
  expect_refused(o.options, "reader_spin_us");
  o.options.reader_spin_us = 50;
  o.options.snapshot_reuse_us = 1'000'001;
  expect_refused(o.options, "snapshot_reuse_us");
}

}  // namespace
}  // namespace zcache::test
