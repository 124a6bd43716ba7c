// The writer thread: owns the one write connection, takes batches from the WriteQueue and
// commits each in one BEGIN IMMEDIATE transaction (writes, erases, purges in ticket order, then
// the LRU touches, then the sweep when due, then the budget), then runs the purges' callbacks.
// The sweep (every options.sweep_interval_ms) deletes rows past their last window, at most
// kSweepRows per transaction; when the store is idle the writer wakes for it, and takes the
// write lock only if a row has expired.
#pragma once

#include <zcache/replica.h>

#include <chrono>
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
  // In a write transaction: reclaims expired rows (at most kSweepRows) and schedules the next
  // sweep (at once when that many went).
  void sweep(std::int64_t now_ms, Totals& totals);
  void sweep_if_due(std::int64_t now_ms, Totals& totals);
  void schedule_sweep(bool again);
  void sweep_while_idle();
  void publish(const Totals& totals);  // the counters the stats report of the file
  std::chrono::steady_clock::time_point next_sweep() const;

  const ReplicaOptions& options_;
  std::shared_ptr<Clock> clock_;
  std::int64_t origin_;
  std::unique_ptr<sqlite::Conn> db_;
  WriteQueue& queue_;
  Counters& counters_;
  void (*on_thread_)(const void*);
  const void* owner_;
  std::chrono::steady_clock::time_point last_sweep_;
  bool sweep_again_ = false;  // the last sweep hit kSweepRows: more to do at once
  std::thread thread_;
};

}  // namespace zcache::replica
