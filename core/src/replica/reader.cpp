#include "replica/reader.h"

#include <algorithm>
#include <chrono>

#include "replica/codec.h"
#include "replica/schema.h"
#include "util/cpu_relax.h"

namespace zcache::replica {

ReplicaRead read_entry(sqlite::Conn& db, std::string_view key, const WriteQueue& queue, std::int64_t now_ms,
                       std::int64_t* last_access, ReadSnapshot* snapshot) {
  // The overlay is taken before the file is read: a purge committed in between is then applied
  // twice (harmless), and a write committed in between may get a purge that preceded it applied
  // (a spurious miss or stale: the safe side for a cache).
  Overlay overlay = queue.overlay(key);
  std::optional<ReplicaEntry> e;
  *last_access = now_ms;  // no touch unless the row says otherwise
  if (overlay.base_from_file) {
    if (snapshot) snapshot->prepare();
    sqlite::Stmt s = db.stmt(
        "SELECT value, encoding, fresh_until, stale_until, error_until, tags, last_access FROM entries "
        "WHERE key = ?1");
    s.bind_blob(1, key);
    if (s.step()) {
      e.emplace();
      e->key = key;
      e->value = s.blob(0);
      e->encoding = static_cast<std::uint8_t>(s.int64(1));
      e->fresh_until = s.int64(2);
      e->stale_until = s.int64(3);
      e->error_until = s.int64(4);
      if (!s.is_null(5) && !decode_tags(s.blob(5), e->tags)) db.damaged("an entry's tag list is malformed");
      *last_access = s.int64(6);
    }
  } else {
    e = std::move(overlay.base);
  }
  for (const QueuedPurge& p : overlay.purges) {
    if (!e || !covers(*p.selector, key, e->tags)) continue;
    if (p.mode == PurgeMode::Soft && p.at_ms < e->stale_until) {
      e->fresh_until = std::min(e->fresh_until, p.at_ms);
    } else {
      e.reset();
    }
  }
  if (e && now_ms >= std::max(e->stale_until, e->error_until)) e.reset();
  return ReplicaRead{std::move(e), std::nullopt};
}

ReaderPool::ReaderPool(const ReplicaOptions& options, std::shared_ptr<Clock> clock, WriteQueue& queue,
                       Counters& counters, void (*on_thread)(const void*), const void* owner)
    : options_(options),
      clock_(std::move(clock)),
      queue_(queue),
      counters_(counters),
      on_thread_(on_thread),
      owner_(owner) {
  const std::size_t n = std::max<std::uint32_t>(1, options.readers);
  std::vector<std::unique_ptr<sqlite::Conn>> conns;
  for (std::size_t i = 0; i < n; ++i) conns.push_back(open_reader(options));  // may throw: no thread yet
  for (std::size_t i = 0; i < n; ++i)
    threads_.emplace_back([this, conn = std::move(conns[i])]() { run(*conn); });
}

void ReaderPool::wait_for_request(std::unique_lock<std::mutex>& lock, ReadSnapshot& snapshot) {
  if (!requests_.empty() || stopped_) return;
  if (options_.reader_spin_us > 0 && !spinning_) {
    spinning_ = true;
    const std::uint64_t seen = signal_.load(std::memory_order_relaxed);
    lock.unlock();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(options_.reader_spin_us);
    bool signalled = true;
    for (unsigned i = 1; signal_.load(std::memory_order_relaxed) == seen; ++i) {
      util::cpu_relax();
      if (i % 64 == 0 && std::chrono::steady_clock::now() >= deadline) {
        signalled = false;
        break;
      }
    }
    if (!signalled) snapshot.end();
    lock.lock();
    spinning_ = false;
  } else if (snapshot.open()) {
    lock.unlock();
    snapshot.end();
    lock.lock();
  }
  while (requests_.empty() && !stopped_) {
    ++idle_;
    cv_.wait(lock);
    --idle_;
  }
}

void ReaderPool::run(sqlite::Conn& conn) {
  on_thread_(owner_);
  ReadSnapshot snapshot(conn, counters_, std::chrono::microseconds(options_.snapshot_reuse_us));
  std::unique_lock lock(mu_);
  for (;;) {
    wait_for_request(lock, snapshot);
    if (requests_.empty()) return;  // stopped
    Request r = std::move(requests_.front());
    requests_.pop_front();
    if (!requests_.empty() && idle_ > 0) cv_.notify_one();
    lock.unlock();
    ReplicaRead result;
    const std::int64_t now = clock_->now_ms();
    std::int64_t last_access = now;
    try {
      result = read_entry(conn, r.key, queue_, now, &last_access, &snapshot);
    } catch (const Error& e) {
      result.error = e;
    }
    Counters::add(counters_.reads);
    if (result.error) Counters::add(counters_.read_errors);
    if (result.entry) {
      Counters::add(counters_.read_hits);
      if (now - last_access >= options_.touch_granularity_ms) queue_.touch(r.key, now);
    }
    try {
      r.done(std::move(result));
    } catch (...) {
      // A callback must not throw; one that does cannot be allowed to stop the reader.
    }
    lock.lock();
  }
}

ReaderPool::~ReaderPool() { stop(); }

void ReaderPool::submit(std::string key, ReplicaStore::ReadCallback done) {
  std::lock_guard lock(mu_);
  if (stopped_) throw Error(ErrorKind::Closed, "the replica store is closed");
  requests_.push_back(Request{std::move(key), std::move(done)});
  signal_.fetch_add(1, std::memory_order_relaxed);
  if (idle_ > 0 && !spinning_) cv_.notify_one();
}

void ReaderPool::stop() {
  std::deque<Request> abandoned;
  {
    std::lock_guard lock(mu_);
    if (stopped_ && threads_.empty()) return;
    stopped_ = true;
    signal_.fetch_add(1, std::memory_order_relaxed);
    abandoned.swap(requests_);
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  for (Request& r : abandoned) {
    try {
      r.done(ReplicaRead{std::nullopt, Error(ErrorKind::Closed, "the replica store was closed before the read ran")});
    } catch (...) {
    }
  }
}

}  // namespace zcache::replica
