#include "replica/purge_poller.h"

#include <chrono>
#include <vector>

#include "replica/codec.h"
#include "replica/schema.h"

namespace zcache::replica {

PurgePoller::PurgePoller(const ReplicaOptions& options, std::int64_t origin, std::int64_t after_id, Counters& counters,
                         void (*on_thread)(const void*), const void* owner)
    : options_(options),
      origin_(origin),
      after_id_(after_id),
      counters_(counters),
      on_thread_(on_thread),
      owner_(owner),
      db_(open_reader(options)) {
  thread_ = std::thread([this] { run(); });
}

PurgePoller::~PurgePoller() { stop(); }

void PurgePoller::set_listener(ReplicaStore::PurgeListener listener) {
  auto p = listener ? std::make_shared<const ReplicaStore::PurgeListener>(std::move(listener)) : nullptr;
  std::lock_guard lock(mu_);
  listener_ = std::move(p);
}

void PurgePoller::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PurgePoller::run() {
  on_thread_(owner_);
  std::unique_lock lock(mu_);
  while (!stopped_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms));
    if (stopped_) break;
    lock.unlock();
    try {
      poll();
    } catch (const Error&) {
      // The next poll tries again (a locked or briefly unreadable file is not a reason to stop).
    }
    lock.lock();
  }
}

void PurgePoller::poll() {
  const std::int64_t version = db_->scalar("PRAGMA data_version");
  if (version == data_version_) return;
  data_version_ = version;
  std::vector<ReplicaPurgeEvent> events;
  {
    sqlite::ReadTx tx(*db_);
    sqlite::Stmt s = db_->stmt(
        "SELECT id, cluster_sequence, origin, mode, selector, at_ms FROM purge_log WHERE id > ?1 ORDER BY id "
        "LIMIT 1000");
    s.bind(1, after_id_);
    int rows = 0;
    while (s.step()) {
      ++rows;
      after_id_ = s.int64(0);
      if (s.int64(2) == origin_) continue;
      ReplicaPurgeEvent e;
      e.log_id = after_id_;
      e.cluster_sequence = s.is_null(1) ? 0 : s.int64(1);
      e.mode = s.int64(3) == 1 ? PurgeMode::Soft : PurgeMode::Hard;
      e.at_ms = s.int64(5);
      if (!decode_selector(s.blob(4), e.selector)) continue;  // unreadable row: nothing to apply
      events.push_back(std::move(e));
    }
    if (rows == 1000) data_version_ = -1;  // more to read: do not wait for a change
  }
  if (events.empty()) return;
  std::shared_ptr<const ReplicaStore::PurgeListener> listener;
  {
    std::lock_guard lock(mu_);
    listener = listener_;
  }
  for (const auto& e : events) {
    Counters::add(counters_.remote_purges);
    if (!listener) continue;
    try {
      (*listener)(e);
    } catch (...) {
      // A listener must not throw; one that does cannot be allowed to stop the poller.
    }
  }
}

}  // namespace zcache::replica
