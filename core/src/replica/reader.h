// The reader threads: each owns one read connection and answers reads from a shared request
// queue. A read resolves the key as the file will hold it once the write queue is applied: the
// queued write/erase of the key if any, else the file's row; then the queued purges that cover
// it; then the windows (nothing past the last one).
//
// Hand-off: requests wait in one queue under mu_. A reader with nothing to do first spins for
// options.reader_spin_us watching `signal_` (at most one reader spins at a time), keeping its
// read snapshot (ReadSnapshot), then ends the snapshot and sleeps on cv_. submit() wakes a
// sleeper only when nobody spins; a reader that takes a request while more wait wakes the next.
#pragma once

#include <zcache/replica.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "replica/counters.h"
#include "replica/read_snapshot.h"
#include "replica/write_queue.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

class ReaderPool {
 public:
  // Opens `options.readers` connections (throws like open_reader) and starts the threads.
  ReaderPool(const ReplicaOptions& options, std::shared_ptr<Clock> clock, WriteQueue& queue, Counters& counters,
             void (*on_thread)(const void*), const void* owner);
  ~ReaderPool();  // stop()

  // Throws Closed after stop().
  void submit(std::string key, ReplicaStore::ReadCallback done);
  // Reads not yet started get Error(Closed); joins the threads. Idempotent.
  void stop();

 private:
  struct Request {
    std::string key;
    ReplicaStore::ReadCallback done;
  };
  void run(sqlite::Conn& conn);
  // With `lock` held: returns once a request is queued or the pool is stopped. Ends `snapshot`
  // (without the lock) before sleeping.
  void wait_for_request(std::unique_lock<std::mutex>& lock, ReadSnapshot& snapshot);

  const ReplicaOptions& options_;
  std::shared_ptr<Clock> clock_;
  WriteQueue& queue_;
  Counters& counters_;
  void (*on_thread_)(const void*);
  const void* owner_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> requests_;
  std::size_t idle_ = 0;     // threads waiting on cv_
  bool spinning_ = false;    // a thread is spinning on signal_
  bool stopped_ = false;
  std::atomic<std::uint64_t> signal_{0};  // bumped (under mu_) by submit() and stop()
  std::vector<std::thread> threads_;
};

// One read on a connection, overlay included (the reader threads' work; exposed for tests).
// `snapshot` (may be null) is prepared between taking the overlay and reading the file.
ReplicaRead read_entry(sqlite::Conn& db, std::string_view key, const WriteQueue& queue, std::int64_t now_ms,
                       std::int64_t* last_access, ReadSnapshot* snapshot = nullptr);

}  // namespace zcache::replica
