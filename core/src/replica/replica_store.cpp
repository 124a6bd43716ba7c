#include <zcache/replica.h>

#include <algorithm>
#include <future>
#include <random>

#include "cache/validate.h"
#include "replica/schema.h"
#include "replica/store_impl.h"

namespace zcache::replica {
namespace {

thread_local const void* t_owner = nullptr;  // the store whose thread this is, if any
void mark_thread(const void* owner) { t_owner = owner; }

std::int64_t random_origin() {
  std::random_device rd;
  const std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return static_cast<std::int64_t>(v >> 1) | 1;  // positive, never 0
}

ReplicaOptions checked(ReplicaOptions o) {
  auto invalid = [](const std::string& m) { throw Error(ErrorKind::InvalidArgument, "replica options: " + m); };
  if (o.path.empty()) invalid("path must not be empty");
  if (o.max_bytes == 0) invalid("max_bytes must be positive");
  if (o.max_queue_bytes == 0) invalid("max_queue_bytes must be positive");
  if (o.readers == 0 || o.readers > 64) invalid("readers must be 1..64");
  if (o.reader_spin_us > 10'000) invalid("reader_spin_us must be at most 10000");
  if (o.snapshot_reuse_us > 1'000'000) invalid("snapshot_reuse_us must be at most 1000000");
  if (o.poll_interval_ms < 0) invalid("poll_interval_ms must not be negative");
  if (o.touch_granularity_ms < 0) invalid("touch_granularity_ms must not be negative");
  if (o.sweep_interval_ms < 0) invalid("sweep_interval_ms must not be negative");
  if (o.busy_timeout_ms < 0) invalid("busy_timeout_ms must not be negative");
  if (o.purge_log_limit == 0) invalid("purge_log_limit must be positive");
  if (!o.clock) o.clock = system_clock();
  return o;
}

std::int64_t newest_purge_id(sqlite::Conn& db) { return db.scalar("SELECT coalesce(max(id), 0) FROM purge_log"); }

}  // namespace

StoreImpl::StoreImpl(ReplicaOptions options)
    : options_(checked(std::move(options))),
      clock_(options_.clock),
      origin_(random_origin()),
      queue_(options_.max_queue_bytes, counters_) {
  std::unique_ptr<sqlite::Conn> db = open_writer(options_);
  const std::int64_t after = newest_purge_id(*db);
  // Readers and poller first: if one fails to open, no thread is running yet but theirs.
  readers_ = std::make_unique<ReaderPool>(options_, clock_, queue_, counters_, mark_thread, this);
  if (options_.poll_interval_ms > 0)
    poller_ = std::make_unique<PurgePoller>(options_, origin_, after, counters_, mark_thread, this);
  writer_ = std::make_unique<Writer>(options_, clock_, origin_, std::move(db), queue_, counters_, mark_thread, this);
}

StoreImpl::~StoreImpl() { close(); }

void StoreImpl::check_not_own_thread(const char* what) const {
  if (t_owner == this)
    throw Error(ErrorKind::InvalidArgument,
                std::string("ReplicaStore::") + what + " called from one of the store's own callbacks (it would wait for itself)");
}

bool StoreImpl::write(ReplicaEntry e) {
  detail::validate_key(e.key);
  detail::validate_tags(e.tags);
  const bool oversized = replica_charge(e) > options_.max_bytes;
  if (clock_->now_ms() >= std::max(e.stale_until, e.error_until)) {
    // Already useless: only its erasing effect on an older copy matters.
    try {
      queue_.push_erase(std::move(e.key));
    } catch (const Error&) {
      return false;  // closed
    }
    return true;
  }
  return queue_.push_write(std::move(e), oversized);
}

void StoreImpl::erase(std::string_view key) {
  detail::validate_key(key);
  queue_.push_erase(std::string(key));
}

void StoreImpl::read(std::string key, ReplicaStore::ReadCallback done) {
  detail::validate_key(key);
  if (!done) throw Error(ErrorKind::InvalidArgument, "ReplicaStore::read needs a callback");
  readers_->submit(std::move(key), std::move(done));
}

ReplicaRead StoreImpl::read_sync(std::string_view key) {
  check_not_own_thread("read_sync");
  auto promise = std::make_shared<std::promise<ReplicaRead>>();
  std::future<ReplicaRead> result = promise->get_future();
  read(std::string(key), [promise](ReplicaRead r) { promise->set_value(std::move(r)); });
  return result.get();
}

void StoreImpl::purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence,
                      ReplicaStore::PurgeCallback done) {
  detail::validate_selector(selector);
  if (cluster_sequence < 0) throw Error(ErrorKind::InvalidArgument, "cluster_sequence must not be negative");
  queue_.push_purge(std::make_shared<const PurgeSelector>(selector), mode, cluster_sequence, clock_->now_ms(),
                    std::move(done));
}

PurgeResult StoreImpl::purge_sync(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence) {
  check_not_own_thread("purge_sync");
  auto promise = std::make_shared<std::promise<ReplicaPurgeDone>>();
  std::future<ReplicaPurgeDone> result = promise->get_future();
  purge(selector, mode, cluster_sequence, [promise](ReplicaPurgeDone d) { promise->set_value(std::move(d)); });
  ReplicaPurgeDone d = result.get();
  if (d.error) throw *d.error;
  return d.result;
}

void StoreImpl::flush() {
  check_not_own_thread("flush");
  queue_.flush();
}

void StoreImpl::set_purge_listener(ReplicaStore::PurgeListener listener) {
  if (poller_) poller_->set_listener(std::move(listener));
}

ReplicaStats StoreImpl::stats() const {
  auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  ReplicaStats s;
  s.writes = get(counters_.writes);
  s.superseded = get(counters_.superseded);
  s.dropped = get(counters_.dropped);
  s.committed = get(counters_.committed);
  s.batches = get(counters_.batches);
  s.transactions = get(counters_.transactions);
  s.write_errors = get(counters_.write_errors);
  s.reads = get(counters_.reads);
  s.read_hits = get(counters_.read_hits);
  s.read_errors = get(counters_.read_errors);
  s.evictions = get(counters_.evictions);
  s.expirations = get(counters_.expirations);
  s.purges = get(counters_.purges);
  s.remote_purges = get(counters_.remote_purges);
  s.queue_bytes = queue_.queue_bytes();
  s.bytes = get(counters_.bytes);
  s.entries = get(counters_.entries);
  s.max_bytes = options_.max_bytes;
  s.last_purge_sequence = counters_.last_purge_sequence.load(std::memory_order_relaxed);
  return s;
}

void StoreImpl::close() {
  check_not_own_thread("close");
  std::lock_guard lock(close_mu_);
  if (closed_) return;
  closed_ = true;
  queue_.close();      // the writer commits what is queued, then stops
  if (writer_) writer_->join();
  if (poller_) poller_->stop();
  if (readers_) readers_->stop();
}

}  // namespace zcache::replica

namespace zcache {

ReplicaStore::ReplicaStore(ReplicaOptions options)
    : clock_(options.clock ? options.clock : system_clock()),
      impl_(std::make_unique<replica::StoreImpl>(std::move(options))) {}
ReplicaStore::~ReplicaStore() = default;

bool ReplicaStore::write(ReplicaEntry entry) { return impl_->write(std::move(entry)); }
void ReplicaStore::erase(std::string_view key) { impl_->erase(key); }
void ReplicaStore::read(std::string key, ReadCallback done) { impl_->read(std::move(key), std::move(done)); }
ReplicaRead ReplicaStore::read_sync(std::string_view key) { return impl_->read_sync(key); }
void ReplicaStore::purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence,
                         PurgeCallback done) {
  impl_->purge(selector, mode, cluster_sequence, std::move(done));
}
PurgeResult ReplicaStore::purge_sync(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence) {
  return impl_->purge_sync(selector, mode, cluster_sequence);
}
void ReplicaStore::flush() { impl_->flush(); }
void ReplicaStore::set_purge_listener(PurgeListener listener) { impl_->set_purge_listener(std::move(listener)); }
ReplicaStats ReplicaStore::stats() const { return impl_->stats(); }
const std::string& ReplicaStore::path() const noexcept { return impl_->path(); }
void ReplicaStore::close() { impl_->close(); }

}  // namespace zcache
