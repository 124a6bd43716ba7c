// Several processes on one file, and crash safety: a child killed with SIGKILL in the middle of a
// write storm leaves a file that passes integrity_check and holds everything it had flushed.
#include <condition_variable>
#include <mutex>
#include <random>

#include "replica_storm.h"
#include "replica_test_support.h"

namespace zcache::test {
namespace {

ReplicaOptions real_clock(const std::string& path) {
  ReplicaOptions o;
  o.path = path;
  o.poll_interval_ms = 10;
  o.busy_timeout_ms = 60'000;
  return o;
}

TEST(ReplicaProcess, SigkillMidStormNeverCorruptsAndKeepsEveryFlushedEntry) {
  TempDir dir;
  const std::string path = dir.file("storm.db");
  std::mt19937 rng(12345);
  for (int round = 0; round < 4; ++round) {
    const std::string prefix = "r" + std::to_string(round) + ":";
    std::int64_t acked = -1;
    {
      Child child({"storm", path, prefix});
      const int acks_before_kill = std::uniform_int_distribution<int>(1, 15)(rng);
      std::string line;
      for (int n = 0; n < acks_before_kill && child.line(line);) {
        if (line.rfind("acked ", 0) == 0) {
          acked = std::stoll(line.substr(6));
          ++n;
        }
      }
      // Let it run on a random while after the last ack we saw, then kill it mid-write.
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20'000)(rng)));
      child.kill9();
      while (child.line(line))  // acks it printed before dying also count
        if (line.rfind("acked ", 0) == 0) acked = std::stoll(line.substr(6));
      EXPECT_EQ(child.wait(), 128 + SIGKILL);
    }
    ASSERT_GE(acked, 99) << "round " << round << ": the child acknowledged nothing";
    {
      RawDb raw(path);
      EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok") << "round " << round;
      EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT coalesce(sum(size), 0) FROM entries"));
    }
    ReplicaStore store(real_clock(path));
    for (std::int64_t i = 0; i <= acked; ++i) {
      const ReplicaEntry want = storm_entry(prefix, i);
      ReplicaRead got = store.read_sync(want.key);
      ASSERT_TRUE(got.entry) << "round " << round << ": flushed entry " << want.key << " is missing (acked " << acked << ")";
      EXPECT_EQ(got.entry->value, want.value);
      EXPECT_EQ(got.entry->encoding, want.encoding);
      EXPECT_EQ(got.entry->tags, want.tags);
      EXPECT_EQ(got.entry->fresh_until, want.fresh_until);
      EXPECT_EQ(got.entry->stale_until, want.stale_until);
      EXPECT_EQ(got.entry->error_until, want.error_until);
    }
  }
}

TEST(ReplicaProcess, TwoProcessesSeeEachOthersWritesAndPurges) {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ReplicaPurgeEvent> events;
  ReplicaStore store(real_clock(path));
  store.set_purge_listener([&](const ReplicaPurgeEvent& e) {
    std::lock_guard lock(mu);
    events.push_back(e);
    cv.notify_all();
  });
  // This process writes; another reads it.
  store.write(storm_entry("mine:", 0));
  store.flush();
  {
    Child reader({"read", path, "mine:0"});
    std::string line;
    ASSERT_TRUE(reader.line(line));
    EXPECT_EQ(line, "hit 1024 " + std::to_string(kStormBase));
    EXPECT_EQ(reader.wait(), 0);
  }
  // Another process writes; this one reads it.
  {
    Child writer({"write", path, "theirs:", "50", "blue"});
    std::string line;
    ASSERT_TRUE(writer.line(line));
    EXPECT_EQ(line, "done");
    EXPECT_EQ(writer.wait(), 0);
  }
  ReplicaRead r = store.read_sync("theirs:49");
  ASSERT_TRUE(r.entry);
  EXPECT_EQ(r.entry->tags, std::vector<std::string>{"blue"});
  // Another process purges; this one no longer reads the rows and its listener hears of it.
  {
    Child purger({"purge", path, "blue", "314"});
    std::string line;
    ASSERT_TRUE(purger.line(line));
    EXPECT_EQ(line, "purged 50");
    EXPECT_EQ(purger.wait(), 0);
  }
  EXPECT_FALSE(store.read_sync("theirs:0").entry);
  EXPECT_TRUE(store.read_sync("mine:0").entry);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return !events.empty(); }));
    EXPECT_EQ(events[0].cluster_sequence, 314);
    EXPECT_EQ(events[0].selector.tags, std::vector<std::string>{"blue"});
    EXPECT_EQ(events[0].mode, PurgeMode::Hard);
  }
  EXPECT_EQ(store.stats().remote_purges, 1u);
  // This process purges; a listening process hears of it.
  {
    Child listener({"listen", path, "1"});
    std::string line;
    ASSERT_TRUE(listener.line(line));
    ASSERT_EQ(line, "ready");
    store.purge_sync(by_tags({"storm"}), PurgeMode::Soft, 315);
    ASSERT_TRUE(listener.line(line));
    EXPECT_EQ(line.substr(line.find(' ', 6)), " 315 soft storm");
    EXPECT_EQ(listener.wait(), 0);
  }
  store.close();
}

TEST(ReplicaProcess, ConcurrentWritersKeepTheTotalsExact) {
  TempDir dir;
  const std::string path = dir.file("shared.db");
  { ReplicaStore init(real_clock(path)); }  // create the schema before the race
  Child a({"write", path, "a:", "3000", "x"});
  Child b({"write", path, "b:", "3000", "y"});
  std::string line;
  ASSERT_TRUE(a.line(line));
  EXPECT_EQ(line, "done");
  ASSERT_TRUE(b.line(line));
  EXPECT_EQ(line, "done");
  EXPECT_EQ(a.wait(), 0);
  EXPECT_EQ(b.wait(), 0);
  RawDb raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), 6000);
  EXPECT_EQ(raw.integer("SELECT entry_count FROM meta"), 6000);
  EXPECT_EQ(raw.integer("SELECT total_bytes FROM meta"), raw.integer("SELECT sum(size) FROM entries"));
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
}

TEST(ReplicaProcess, TwoProcessesCreatingTheFileAtOnceBothSucceed) {
  TempDir dir;
  const std::string path = dir.file("race.db");
  Child a({"write", path, "a:", "10"});
  Child b({"write", path, "b:", "10"});
  std::string line;
  ASSERT_TRUE(a.line(line));
  ASSERT_TRUE(b.line(line));
  EXPECT_EQ(a.wait(), 0);
  EXPECT_EQ(b.wait(), 0);
  RawDb raw(path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), 20);
}

}  // namespace
}  // namespace zcache::test
