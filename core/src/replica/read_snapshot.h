// A reader's read transaction, kept across back-to-back reads (ReplicaOptions::snapshot_reuse_us).
// Beginning and ending a WAL read transaction per read (locks on the -shm file, revalidating the
// page cache) measured ~2 µs of a ~5.5 µs point read; reusing one saves that while reads stream.
//
// What a reused snapshot must never hide: a commit of this store's writer that a read is entitled
// to see. The writer counts a transaction (Counters::transactions) after committing it and before
// WriteQueue::finish() drops its ops from the overlay, under the queue's mutex; a read takes the
// overlay first, so when it no longer finds an op there the count it loads afterwards has moved,
// and prepare() renews the snapshot. Commits of other processes are seen once the snapshot is
// renewed: at most max_age after them.
#pragma once

#include <chrono>
#include <cstdint>

#include "replica/counters.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

class ReadSnapshot {
 public:
  // max_age 0: no reuse (every read runs in its own implicit transaction).
  ReadSnapshot(sqlite::Conn& db, const Counters& counters, std::chrono::microseconds max_age)
      : db_(db), counters_(counters), max_age_(max_age) {}
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  ~ReadSnapshot() { end(); }

  // Before reading the file (after taking the overlay): renews a snapshot that could miss a
  // commit of this store's writer or is older than max_age, and begins one when none is open.
  void prepare();
  // Ends the snapshot (before the reader sleeps: an open one would hold back WAL checkpoints).
  void end() noexcept;
  bool open() const noexcept { return open_; }

 private:
  sqlite::Conn& db_;
  const Counters& counters_;
  const std::chrono::microseconds max_age_;
  bool open_ = false;
  std::uint64_t transactions_seen_ = 0;
  std::chrono::steady_clock::time_point began_;
};

}  // namespace zcache::replica
