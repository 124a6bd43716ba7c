// The write queue: when it is full, writes are dropped (counted) and never served stale; a later
// write of a queued key replaces it in place; flush() reports a failed commit.
#include "replica_test_support.h"

namespace zcache::test {
namespace {

// Holds the file's write lock from `other` and waits until the store's writer has taken one
// batch (just the "stall" write) and is stuck behind the lock: later operations stay queued.
void stall_writer(ReplicaStore& store, RawDb& other) {
  const std::uint64_t before = store.stats().batches;
  other.exec("BEGIN IMMEDIATE");
  store.write(entry("stall", "x", kT0));
  ASSERT_TRUE(eventually([&] { return store.stats().batches > before; }));
}

TEST(ReplicaQueue, WhenFullWritesAreDroppedAndTheirKeysErased) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.max_queue_bytes = 10 * 1024;
  ReplicaStore store(o.options);
  store.write(entry("k39", "committed-old", kT0));
  store.flush();
  RawDb other(o.options.path);
  stall_writer(store, other);
  // 1 KiB writes: 10 fit, the rest are dropped.
  int accepted = 0;
  for (int i = 0; i < 40; ++i)
    if (store.write(entry("k" + std::to_string(i), std::string(1000, 'v'), kT0))) ++accepted;
  EXPECT_EQ(accepted, 10);
  EXPECT_EQ(store.stats().dropped, static_cast<std::uint64_t>(40 - accepted));
  EXPECT_LE(store.stats().queue_bytes, o.options.max_queue_bytes + 40 * 8);  // + the erase markers' keys
  // A dropped write never lets the older copy be served, even before anything commits.
  EXPECT_FALSE(store.read_sync("k39").entry);
  // Rewriting a queued key replaces it in place: accepted although the queue is full.
  EXPECT_TRUE(store.write(entry("k0", std::string(900, 'w'), kT0)));
  EXPECT_EQ(store.stats().superseded, 1u);
  // Erases and purges are never dropped.
  store.erase("k1");
  store.purge(by_keys({"k2"}), PurgeMode::Hard, 0, nullptr);
  other.exec("COMMIT");
  store.flush();
  EXPECT_EQ(store.read_sync("k0").entry->value, std::string(900, 'w'));
  EXPECT_FALSE(store.read_sync("k1").entry);
  EXPECT_FALSE(store.read_sync("k2").entry);
  EXPECT_TRUE(store.read_sync("k3").entry);
  for (int i = accepted; i < 40; ++i) EXPECT_FALSE(store.read_sync("k" + std::to_string(i)).entry) << i;
  EXPECT_EQ(store.stats().queue_bytes, 0u);
  RawDb raw(o.options.path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM entries"), accepted - 2 + 1);  // + "stall"
}

TEST(ReplicaQueue, RepeatedWritesOfOneKeyCollapse) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  ReplicaStore store(o.options);
  RawDb other(o.options.path);
  stall_writer(store, other);
  for (int i = 0; i < 1000; ++i) store.write(entry("hot", "v" + std::to_string(i), kT0));
  EXPECT_EQ(store.stats().superseded, 999u);
  EXPECT_EQ(store.stats().queue_bytes, (5u + 1) + (3 + 4));  // "stall" in flight, one "hot"
  other.exec("COMMIT");
  store.flush();
  EXPECT_EQ(store.read_sync("hot").entry->value, "v999");
  EXPECT_EQ(store.stats().committed, 2u);
}

TEST(ReplicaQueue, FlushReportsAFailedCommitOnceAndTheStoreRecovers) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.busy_timeout_ms = 50;  // the writer gives up on the lock held below
  ReplicaStore store(o.options);
  RawDb other(o.options.path);
  other.exec("BEGIN IMMEDIATE");
  store.write(entry("lost", "v", kT0));
  try {
    store.flush();
    FAIL() << "flush did not report the failed commit";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout) << e.what();
    EXPECT_NE(std::string(e.what()).find(o.options.path), std::string::npos) << e.what();
  }
  EXPECT_GE(store.stats().write_errors, 1u);
  other.exec("COMMIT");
  store.write(entry("kept", "v", kT0));
  // The error was reported once; this batch commits.
  try {
    store.flush();
  } catch (const Error& e) {
    FAIL() << "the second flush failed: " << e.what() << " (write_errors " << store.stats().write_errors << ")";
  }
  const ReplicaRead kept = store.read_sync("kept");
  EXPECT_TRUE(kept.entry) << (kept.error ? kept.error->what() : "no error");
  const ReplicaRead lost = store.read_sync("lost");
  EXPECT_FALSE(lost.entry);
  EXPECT_FALSE(lost.error) << lost.error->what();
}

TEST(ReplicaQueue, APurgeOfAFailedBatchReportsTheError) {
  TempDir dir;
  ClockedOptions o(dir.file("r.db"));
  o.options.busy_timeout_ms = 50;
  ReplicaStore store(o.options);
  RawDb other(o.options.path);
  other.exec("BEGIN IMMEDIATE");
  try {
    store.purge_sync(by_keys({"k"}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Timeout);
  }
  other.exec("COMMIT");
}

}  // namespace
}  // namespace zcache::test
