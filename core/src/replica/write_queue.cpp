#include "replica/write_queue.h"

#include <algorithm>
#include <chrono>

namespace zcache::replica {
namespace {

constexpr std::size_t kMaxTouches = 64 * 1024;     // beyond: dropped (LRU precision only)
constexpr std::size_t kTouchesPerBatch = 4 * 1024;  // this many wake the writer by themselves
constexpr std::size_t kMaxErrorsKept = 64;

ReplicaEntry key_only(std::string key) {
  ReplicaEntry e;
  e.key = std::move(key);
  return e;
}

// Abseil's string hash takes absl::string_view, which need not be std::string_view.
absl::string_view view(std::string_view s) { return absl::string_view(s.data(), s.size()); }

[[noreturn]] void closed_error() { throw Error(ErrorKind::Closed, "the replica store is closed"); }

}  // namespace

std::uint64_t Op::queued_bytes() const noexcept {
  std::uint64_t n = entry.key.size() + entry.value.size();
  for (const auto& t : entry.tags) n += t.size();
  return n;
}

std::uint64_t WriteQueue::enqueue(Op op) {
  op.ticket = next_ticket_++;
  queue_bytes_ += op.queued_bytes();
  const std::size_t index = pending_.size();
  if (op.kind == Op::Kind::Write || op.kind == Op::Kind::Erase) pending_keys_[op.entry.key] = index;
  if (op.kind == Op::Kind::Purge) {
    pending_purges_.push_back(index);
    last_purge_ticket_ = op.ticket;
  }
  const std::uint64_t ticket = op.ticket;
  pending_.push_back(std::move(op));
  if (writer_waiting_) {
    writer_waiting_ = false;
    writer_cv_.notify_one();
  }
  return ticket;
}

bool WriteQueue::push_write(ReplicaEntry entry, bool oversized) {
  Op op;
  op.kind = Op::Kind::Write;
  op.entry = std::move(entry);
  const std::uint64_t bytes = op.queued_bytes();
  std::lock_guard lock(mu_);
  if (closed_) return false;
  auto it = pending_keys_.find(op.entry.key);
  if (it != pending_keys_.end() && pending_[it->second].ticket > last_purge_ticket_) {
    // Replace in place: no purge sits between the old op and now, so order is unchanged.
    Op& old = pending_[it->second];
    const std::uint64_t old_bytes = old.queued_bytes();
    const bool fits = !oversized && queue_bytes_ - old_bytes + bytes <= max_queue_bytes_;
    if (!fits) {
      op.kind = Op::Kind::Erase;
      op.entry = key_only(std::move(op.entry.key));
    }
    queue_bytes_ = queue_bytes_ - old_bytes + op.queued_bytes();
    op.ticket = next_ticket_++;
    old = std::move(op);
    Counters::add(fits ? counters_.superseded : counters_.dropped);
    if (fits) Counters::add(counters_.writes);
    return fits;
  }
  if (oversized || queue_bytes_ + bytes > max_queue_bytes_) {
    Counters::add(counters_.dropped);
    op.kind = Op::Kind::Erase;
    op.entry = key_only(std::move(op.entry.key));
    enqueue(std::move(op));
    return false;
  }
  Counters::add(counters_.writes);
  enqueue(std::move(op));
  return true;
}

void WriteQueue::push_erase(std::string key) {
  Op op;
  op.kind = Op::Kind::Erase;
  op.entry.key = std::move(key);
  std::lock_guard lock(mu_);
  if (closed_) closed_error();
  auto it = pending_keys_.find(op.entry.key);
  if (it != pending_keys_.end() && pending_[it->second].ticket > last_purge_ticket_) {
    Op& old = pending_[it->second];
    queue_bytes_ = queue_bytes_ - old.queued_bytes() + op.queued_bytes();
    op.ticket = next_ticket_++;
    old = std::move(op);
    return;
  }
  enqueue(std::move(op));
}

void WriteQueue::push_purge(std::shared_ptr<const PurgeSelector> selector, PurgeMode mode,
                            std::int64_t cluster_sequence, std::int64_t at_ms, ReplicaStore::PurgeCallback done) {
  Op op;
  op.kind = Op::Kind::Purge;
  op.selector = std::move(selector);
  op.mode = mode;
  op.cluster_sequence = cluster_sequence;
  op.at_ms = at_ms;
  op.done = std::move(done);
  std::lock_guard lock(mu_);
  if (closed_) closed_error();
  enqueue(std::move(op));
}

void WriteQueue::flush() {
  std::unique_lock lock(mu_);
  if (closed_) closed_error();
  const std::uint64_t ticket = enqueue(Op{});
  flushed_cv_.wait(lock, [&] { return committed_through_ >= ticket; });
  for (auto it = errors_.begin(); it != errors_.end(); ++it) {
    if (it->first <= ticket) {
      Error e = std::move(it->second);
      errors_.erase(it);
      throw e;
    }
  }
}

Overlay WriteQueue::overlay(std::string_view key) const {
  Overlay o;
  std::lock_guard lock(mu_);
  if (pending_.empty() && inflight_.empty()) return o;
  std::uint64_t after = 0;  // purges with a larger ticket apply on top of the base
  const Op* base = nullptr;
  if (auto it = pending_keys_.find(view(key)); it != pending_keys_.end()) {
    base = &pending_[it->second];
  } else if (auto jt = inflight_keys_.find(view(key)); jt != inflight_keys_.end()) {
    base = &inflight_[jt->second];
  }
  if (base) {
    o.base_from_file = false;
    after = base->ticket;
    if (base->kind == Op::Kind::Write) o.base = base->entry;
  }
  for (const auto* list : {&inflight_purges_, &pending_purges_}) {
    const std::vector<Op>& ops = list == &inflight_purges_ ? inflight_ : pending_;
    for (std::size_t i : *list) {
      const Op& p = ops[i];
      if (p.ticket > after) o.purges.push_back(QueuedPurge{p.selector, p.mode, p.at_ms});
    }
  }
  return o;
}

void WriteQueue::touch(std::string_view key, std::int64_t at_ms) {
  std::lock_guard lock(mu_);
  if (touches_.size() >= kMaxTouches || closed_) return;
  touches_.emplace_back(std::string(key), at_ms);
  if (touches_.size() == kTouchesPerBatch && writer_waiting_) {
    writer_waiting_ = false;
    writer_cv_.notify_one();
  }
}

std::optional<Batch> WriteQueue::take(std::int64_t touch_wait_ms, std::chrono::steady_clock::time_point idle_until) {
  std::unique_lock lock(mu_);
  const auto ready = [&] { return !pending_.empty() || closed_ || touches_.size() >= kTouchesPerBatch; };
  while (!ready()) {
    writer_waiting_ = true;
    if (touches_.empty() && idle_until == std::chrono::steady_clock::time_point::max()) {
      writer_cv_.wait(lock);
    } else if (touches_.empty()) {
      if (writer_cv_.wait_until(lock, idle_until) == std::cv_status::timeout && !ready() && touches_.empty()) {
        writer_waiting_ = false;
        Batch idle;
        idle.idle = true;
        idle.ops = &inflight_;  // empty between batches
        return idle;
      }
    } else if (writer_cv_.wait_for(lock, std::chrono::milliseconds(touch_wait_ms)) == std::cv_status::timeout) {
      break;  // touches waited long enough: write them alone
    }
  }
  writer_waiting_ = false;
  if (pending_.empty() && touches_.empty()) return std::nullopt;  // closed and drained
  Counters::add(counters_.batches);
  Batch b;
  inflight_.swap(pending_);
  inflight_keys_.swap(pending_keys_);
  inflight_purges_.swap(pending_purges_);
  b.ops = &inflight_;
  b.touches.swap(touches_);
  b.first_ticket = inflight_.empty() ? next_ticket_ : inflight_.front().ticket;
  b.last_ticket = next_ticket_ - 1;
  // In-place replacement gives an op a newer ticket than its position; the batch covers all.
  for (const Op& op : inflight_) b.first_ticket = std::min(b.first_ticket, op.ticket);
  return b;
}

std::vector<Op> WriteQueue::finish(const Batch& batch, const std::optional<Error>& error) {
  std::vector<Op> done;
  {
    std::lock_guard lock(mu_);
    done.swap(inflight_);
    inflight_keys_.clear();
    inflight_purges_.clear();
    for (const Op& op : done) queue_bytes_ -= op.queued_bytes();
    committed_through_ = std::max(committed_through_, batch.last_ticket);
    // A batch of flush markers (and touches) loses nothing when it fails: no error to report.
    const bool lost = std::any_of(done.begin(), done.end(), [](const Op& op) { return op.kind != Op::Kind::Flush; });
    if (error && lost) {
      errors_.emplace_back(batch.first_ticket, *error);
      if (errors_.size() > kMaxErrorsKept) errors_.pop_front();
    }
  }
  flushed_cv_.notify_all();
  return done;
}

void WriteQueue::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  writer_cv_.notify_one();
}

bool WriteQueue::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::uint64_t WriteQueue::queue_bytes() const {
  std::lock_guard lock(mu_);
  return queue_bytes_;
}

}  // namespace zcache::replica
