#include "replica/writer.h"

#include <vector>

#include "replica/eviction.h"
#include "replica/rows.h"

namespace zcache::replica {
namespace {

constexpr std::int64_t kTouchWaitMs = 1000;  // disk-hit touches wait at most this for a batch
constexpr std::uint64_t kSweepRows = 1000;    // per transaction, so the write lock is held briefly

}  // namespace

Writer::Writer(const ReplicaOptions& options, std::shared_ptr<Clock> clock, std::int64_t origin,
               std::unique_ptr<sqlite::Conn> conn, WriteQueue& queue, Counters& counters, void (*on_thread)(const void*),
               const void* owner)
    : options_(options),
      clock_(std::move(clock)),
      origin_(origin),
      db_(std::move(conn)),
      queue_(queue),
      counters_(counters),
      on_thread_(on_thread),
      owner_(owner),
      last_sweep_(std::chrono::steady_clock::now()) {
  publish(read_totals(*db_));
  thread_ = std::thread([this] { run(); });
}

void Writer::publish(const Totals& t) {
  counters_.bytes.store(static_cast<std::uint64_t>(t.bytes), std::memory_order_relaxed);
  counters_.entries.store(static_cast<std::uint64_t>(t.entries), std::memory_order_relaxed);
  counters_.last_purge_sequence.store(t.last_purge_sequence, std::memory_order_relaxed);
}

std::chrono::steady_clock::time_point Writer::next_sweep() const {
  if (options_.sweep_interval_ms == 0) return std::chrono::steady_clock::time_point::max();
  if (sweep_again_) return last_sweep_;
  return last_sweep_ + std::chrono::milliseconds(options_.sweep_interval_ms);
}

void Writer::sweep_if_due(std::int64_t now_ms, Totals& totals) {
  if (std::chrono::steady_clock::now() >= next_sweep()) sweep(now_ms, totals);
}

void Writer::sweep(std::int64_t now_ms, Totals& totals) {
  schedule_sweep(reclaim_expired(*db_, now_ms, kSweepRows, totals, counters_) == kSweepRows);
}

void Writer::schedule_sweep(bool again) {
  last_sweep_ = std::chrono::steady_clock::now();
  sweep_again_ = again;
}

void Writer::sweep_while_idle() {
  const std::int64_t now = clock_->now_ms();
  schedule_sweep(false);  // unless the sweep below runs and finds more
  try {
    if (!has_expired(*db_, now)) return;
    sqlite::WriteTx tx(*db_);
    Totals totals = read_totals(*db_);
    sweep(now, totals);
    write_totals(*db_, totals);
    tx.commit();
    Counters::add(counters_.transactions);
    publish(totals);
  } catch (const Error&) {
    // Nothing queued was lost; the rows stay until the next sweep (or the budget) takes them.
    schedule_sweep(false);
  }
}

Writer::~Writer() { join(); }

void Writer::join() {
  if (thread_.joinable()) thread_.join();
  db_.reset();  // the last connection to close checkpoints the WAL into the file
}

void Writer::commit(const Batch& batch, std::vector<PurgeApplied>& applied) {
  const std::int64_t now = clock_->now_ms();
  sqlite::WriteTx tx(*db_);
  Totals totals = read_totals(*db_);  // under the write lock: right even with other processes
  std::uint64_t rows = 0;
  for (const Op& op : *batch.ops) {
    switch (op.kind) {
      case Op::Kind::Write:
        upsert_row(*db_, op.entry, now, totals);
        ++rows;
        break;
      case Op::Kind::Erase:
        if (auto row = find_row(*db_, op.entry.key)) delete_row(*db_, *row, totals);
        break;
      case Op::Kind::Purge:
        applied.push_back(apply_purge(*db_, *op.selector, op.mode, op.at_ms, op.cluster_sequence, origin_,
                                      options_.purge_log_limit, totals));
        break;
      case Op::Kind::Flush:
        break;
    }
  }
  for (const auto& [key, at] : batch.touches)
    db_->stmt("UPDATE entries SET last_access = ?2 WHERE key = ?1 AND last_access < ?2").bind_blob(1, key).bind(2, at).run();
  sweep_if_due(now, totals);
  enforce_budget(*db_, options_.max_bytes, now, totals, counters_);
  write_totals(*db_, totals);
  tx.commit();
  Counters::add(counters_.committed, rows);
  Counters::add(counters_.transactions);  // before run() calls finish(): see read_snapshot.h
  publish(totals);
}

void Writer::run() {
  on_thread_(owner_);
  while (auto batch = queue_.take(kTouchWaitMs, next_sweep())) {
    if (batch->idle) {
      sweep_while_idle();
      continue;
    }
    std::vector<PurgeApplied> applied;
    std::optional<Error> error;
    try {
      commit(*batch, applied);
    } catch (const Error& e) {
      error = e;
    } catch (const std::exception& e) {
      error = Error(ErrorKind::Internal, std::string("replica writer: ") + e.what());
    }
    if (error) {  // counted before finish() wakes flush(), whose caller may look at the stats
      for (const Op& op : *batch->ops) Counters::add(counters_.write_errors, op.kind == Op::Kind::Flush ? 0 : 1);
      applied.clear();
    }
    std::vector<Op> done = queue_.finish(*batch, error);
    std::size_t next = 0;
    for (Op& op : done) {
      if (op.kind != Op::Kind::Purge) continue;
      ReplicaPurgeDone result;
      if (error) {
        result.error = error;
      } else {
        result.result = applied[next].result;
        result.log_id = applied[next].log_id;
        Counters::add(counters_.purges);
      }
      ++next;
      if (!op.done) continue;
      try {
        op.done(std::move(result));
      } catch (...) {
        // A callback must not throw; one that does cannot be allowed to stop the writer.
      }
    }
  }
}

}  // namespace zcache::replica
