// The poller thread: purges other processes (or other stores on the same file) committed reach
// this store's listener. Every poll_interval_ms it asks its read connection for
// PRAGMA data_version (a counter that moves when another connection commits: one cheap call
// while nothing happens) and, when it moved, reads purge_log rows newer than the last seen,
// skipping this store's own (origin).
#pragma once

#include <zcache/replica.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "replica/counters.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

class PurgePoller {
 public:
  // Starts after purge_log row `after_id` (the newest at open). Throws like open_reader.
  PurgePoller(const ReplicaOptions& options, std::int64_t origin, std::int64_t after_id, Counters& counters,
              void (*on_thread)(const void*), const void* owner);
  ~PurgePoller();  // stop()

  void set_listener(ReplicaStore::PurgeListener listener);
  void stop();  // idempotent

 private:
  void run();
  void poll();

  const ReplicaOptions& options_;
  const std::int64_t origin_;
  std::int64_t after_id_;
  Counters& counters_;
  void (*on_thread_)(const void*);
  const void* owner_;
  std::unique_ptr<sqlite::Conn> db_;
  std::int64_t data_version_ = -1;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::shared_ptr<const ReplicaStore::PurgeListener> listener_;
  std::thread thread_;
};

}  // namespace zcache::replica
