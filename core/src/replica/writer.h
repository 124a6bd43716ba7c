// The writer thread: owns the one write connection, takes batches from the WriteQueue and
// commits each in one BEGIN IMMEDIATE transaction (writes, erases, purges in ticket order, then
// the LRU touches, then the budget), then runs the purges' callbacks.
#pragma once

#include <zcache/replica.h>

#include <memory>
#include <thread>

#include "replica/counters.h"
#include "replica/purge_sql.h"
#include "replica/write_queue.h"
#include "util/sqlite_conn.h"

namespace zcache::replica {

class Writer {
 public:
  // Takes the connection open_writer() made. `on_thread` marks the thread as the store's own.
  Writer(const ReplicaOptions& options, std::shared_ptr<Clock> clock, std::int64_t origin,
         std::unique_ptr<sqlite::Conn> conn, WriteQueue& queue, Counters& counters, void (*on_thread)(const void*),
         const void* owner);
  ~Writer();  // join(): the queue must be closed first
  void join();

 private:
  void run();
  void commit(const Batch& batch, std::vector<PurgeApplied>& applied);

  const ReplicaOptions& options_;
  std::shared_ptr<Clock> clock_;
  std::int64_t origin_;
  std::unique_ptr<sqlite::Conn> db_;
  WriteQueue& queue_;
  Counters& counters_;
  void (*on_thread_)(const void*);
  const void* owner_;
  std::thread thread_;
};

}  // namespace zcache::replica
