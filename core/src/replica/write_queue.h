// The queue between callers and the writer thread, and the view of it that reads need.
//
// Operations get increasing tickets in call order. The writer takes everything pending at once
// (a batch: one transaction), so "committed through ticket T" means every operation up to T is
// in the file (or failed with an error that one flush() reports).
//
// Invariants (all under `mu_`):
// - pending_keys_[k] / inflight_keys_[k] index the latest Write or Erase of k in pending_ /
//   inflight_; pending_purges_ / inflight_purges_ index the purges. Together they let a read
//   compute what the file will hold for k once the queue is applied (overlay()).
// - A write replaces the queued op of its key in place only when no purge was queued after that
//   op (last_purge_ticket_): otherwise the purge would wrongly cover the newer write.
// - queue_bytes_ counts key + value + tag bytes of pending and in-flight ops. Writes beyond
//   max_queue_bytes are refused; erases, purges and flush markers never are (losing one could
//   leave a value that must not be served).
#pragma once

#include <zcache/replica.h>

#include <absl/container/flat_hash_map.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "replica/counters.h"

namespace zcache::replica {

struct Op {
  enum class Kind : std::uint8_t { Write, Erase, Purge, Flush };
  Kind kind = Kind::Flush;
  std::uint64_t ticket = 0;
  ReplicaEntry entry;  // Write; Erase uses entry.key
  // Purge
  std::shared_ptr<const PurgeSelector> selector;
  PurgeMode mode = PurgeMode::Hard;
  std::int64_t cluster_sequence = 0;
  std::int64_t at_ms = 0;
  ReplicaStore::PurgeCallback done;

  std::uint64_t queued_bytes() const noexcept;
};

// A queued purge as a read sees it.
struct QueuedPurge {
  std::shared_ptr<const PurgeSelector> selector;
  PurgeMode mode;
  std::int64_t at_ms;
};

// What the queue says about one key: the latest queued write/erase of it (if any), then the
// purges queued after that, in order. base_from_file: no write/erase is queued, so the file's
// row is the starting point.
struct Overlay {
  bool base_from_file = true;
  std::optional<ReplicaEntry> base;  // when !base_from_file: the queued write (none: an erase)
  std::vector<QueuedPurge> purges;
};

// What the writer takes: the in-flight ops (owned by the queue; read-only until finish()) and
// the LRU touches gathered since the last batch.
struct Batch {
  bool idle = false;  // nothing to write: take()'s idle_until passed (ops is then empty)
  const std::vector<Op>* ops = nullptr;
  std::vector<std::pair<std::string, std::int64_t>> touches;
  std::uint64_t first_ticket = 0, last_ticket = 0;
};

class WriteQueue {
 public:
  WriteQueue(std::uint64_t max_queue_bytes, Counters& counters)
      : max_queue_bytes_(max_queue_bytes), counters_(counters) {}

  // Callers. push_write() returns false when the write was refused (queue full or `oversized`),
  // in which case an erase of the key was queued in its place. Closed: throws Error(Closed) —
  // except push_write, which returns false.
  bool push_write(ReplicaEntry entry, bool oversized);
  void push_erase(std::string key);
  void push_purge(std::shared_ptr<const PurgeSelector> selector, PurgeMode mode, std::int64_t cluster_sequence,
                  std::int64_t at_ms, ReplicaStore::PurgeCallback done);
  // Queues a flush marker and waits until it is committed; throws the first unreported error
  // of a batch holding earlier operations.
  void flush();

  // Readers.
  Overlay overlay(std::string_view key) const;
  // A disk hit to record as the key's last access (dropped beyond a bound: it is only a hint).
  void touch(std::string_view key, std::int64_t at_ms);

  // The writer. take() blocks until there is work (or touches waited `touch_wait_ms`), and
  // returns nullopt once closed and drained. With nothing queued at `idle_until` it returns an
  // idle batch (not to be finished). finish() ends the batch: marks it committed (or failed
  // with `error`), and returns its ops for the callbacks.
  std::optional<Batch> take(std::int64_t touch_wait_ms, std::chrono::steady_clock::time_point idle_until);
  std::vector<Op> finish(const Batch& batch, const std::optional<Error>& error);

  // Refuses new operations; the writer drains what is queued, then take() returns nullopt.
  void close();
  bool closed() const;
  std::uint64_t queue_bytes() const;

 private:
  std::uint64_t enqueue(Op op);  // assigns the ticket, indexes, wakes the writer; under mu_

  const std::uint64_t max_queue_bytes_;
  Counters& counters_;

  mutable std::mutex mu_;
  std::condition_variable writer_cv_;   // work for the writer
  std::condition_variable flushed_cv_;  // committed_through_ moved
  std::vector<Op> pending_, inflight_;
  absl::flat_hash_map<std::string, std::size_t> pending_keys_, inflight_keys_;
  std::vector<std::size_t> pending_purges_, inflight_purges_;
  std::vector<std::pair<std::string, std::int64_t>> touches_;
  std::deque<std::pair<std::uint64_t, Error>> errors_;  // (first ticket of the failed batch, error)
  std::uint64_t next_ticket_ = 1;
  std::uint64_t last_purge_ticket_ = 0;
  std::uint64_t committed_through_ = 0;
  std::uint64_t queue_bytes_ = 0;
  bool writer_waiting_ = false;
  bool closed_ = false;
};

}  // namespace zcache::replica
