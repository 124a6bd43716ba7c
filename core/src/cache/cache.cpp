// The public Cache and Ticket handles, and the process-wide registry of named caches.
#include "cache/cache_impl.h"
#include "cache/validate.h"

#include <absl/container/flat_hash_map.h>

#include <mutex>
#include <string>

namespace zcache {

std::string_view outcome_name(Outcome o) noexcept {
  switch (o) {
    case Outcome::Hit: return "hit";
    case Outcome::Stale: return "stale";
    case Outcome::Miss: return "miss";
    case Outcome::Bypass: return "bypass";
  }
  return "bypass";
}

// --- Ticket

Ticket::Ticket(Ticket&& o) noexcept = default;

Ticket& Ticket::operator=(Ticket&& o) noexcept {
  if (this != &o) {
    Ticket dropped(std::move(*this));
    impl_ = std::move(o.impl_);
    key_ = std::move(o.key_);
    flight_id_ = o.flight_id_;
    revalidation_ = o.revalidation_;
  }
  return *this;
}

Ticket::~Ticket() {
  if (!impl_) return;
  auto impl = impl_;
  try {
    impl->fail(std::move(*this), Error(ErrorKind::Cancelled, "the fetch was abandoned by its leader"));
  } catch (...) {
    // Destructors must not throw; an abandoned flight is then reclaimed by the lock timeout.
  }
}

// --- Cache

namespace {
std::shared_ptr<detail::CacheImpl> make_impl(CacheOptions options) {
  auto impl = std::make_shared<detail::CacheImpl>(std::move(options));
  impl->start_maintenance();
  impl->attach_replica();
  return impl;
}

struct Registry {
  std::mutex mu;
  detail::StringMap<std::weak_ptr<detail::CacheImpl>> caches;
};
Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: caches may outlive static destruction
  return *r;
}
// A later Cache::shared() of a name never opens a file: it may only ask for the engine's own
// (or for none, joining whatever the engine has).
void check_same_replica(std::string_view name, const detail::CacheImpl& engine, const CacheOptions& asked) {
  if (!asked.replica_options) return;
  const std::string want = detail::normal_replica_path(asked.replica_options->path);
  const std::shared_ptr<ReplicaStore>& have = engine.options().replica;
  if (!have)
    throw Error(ErrorKind::Conflict, "cache '" + std::string(name) +
                                         "' already exists without a replica, not with replica file '" + want + "'");
  const std::string path = detail::normal_replica_path(have->path());
  if (path != want)
    throw Error(ErrorKind::Conflict, "cache '" + std::string(name) + "' already exists with replica file '" + path +
                                         "', not '" + want + "'");
}
}  // namespace

Cache::Cache(CacheOptions options) : impl_(make_impl(std::move(options))) {}

Cache Cache::shared(std::string_view name, CacheOptions options) {
  if (name.empty()) throw Error(ErrorKind::InvalidArgument, "a shared cache needs a non-empty name");
  Registry& r = registry();
  if (options.replica && options.replica_options)
    throw Error(ErrorKind::InvalidArgument, "replica and replica_options are exclusive: give the store or its options");
  // Held while a new engine opens its replica file (a few ms), so that it is opened once.
  std::lock_guard lock(r.mu);
  auto& slot = r.caches[name];
  if (auto existing = slot.lock()) {
    if (existing->options().max_bytes != options.max_bytes)
      throw Error(ErrorKind::Conflict, "cache '" + std::string(name) + "' already exists with max_bytes=" +
                                           std::to_string(existing->options().max_bytes) + ", not " +
                                           std::to_string(options.max_bytes));
    check_same_replica(name, *existing, options);
    return Cache(std::move(existing));
  }
  auto impl = make_impl(std::move(options));
  slot = impl;
  return Cache(std::move(impl));
}

GetResult Cache::get(std::string_view key) { return impl_->get(key); }
bool Cache::contains(std::string_view key) { return impl_->contains(key); }
bool Cache::is_resident(const EntryRef& entry) { return impl_->is_resident(entry); }
bool Cache::set(std::string_view key, std::string_view value, const EntryOptions& options) {
  return impl_->set(key, value, options);
}
bool Cache::erase(std::string_view key) { return impl_->erase(key); }
PurgeResult Cache::purge(const PurgeSelector& selector, PurgeMode mode) { return impl_->purge(selector, mode); }
void Cache::purge(const PurgeSelector& selector, PurgeMode mode, std::int64_t cluster_sequence, PurgeDone done) {
  impl_->purge(selector, mode, cluster_sequence, std::move(done));
}
void Cache::clear() { impl_->clear(); }
LookupResult Cache::lookup(std::string_view key, WaitCallback on_wait) {
  return impl_->lookup(key, std::move(on_wait));
}
EntryRef Cache::fill(Ticket&& ticket, std::string_view value, const EntryOptions& options) {
  return impl_->fill(std::move(ticket), value, options);
}
FlightResult Cache::fail(Ticket&& ticket, Error error) { return impl_->fail(std::move(ticket), std::move(error)); }
bool Cache::cancel_wait(std::string_view key, std::uint64_t wait_id) { return impl_->cancel_wait(key, wait_id); }
ChangeCounts Cache::change_counts() const { return impl_->change_counts(); }

void Cache::record_hits(std::span<const std::uint64_t> sample, std::uint32_t weight, std::uint64_t hits) {
  impl_->record_hits(sample, weight, hits);
}

Stats Cache::stats() const { return impl_->stats(); }
const CacheOptions& Cache::options() const noexcept { return impl_->options(); }
void Cache::run_maintenance() { impl_->run_maintenance(); }
void Cache::add_listener(std::shared_ptr<CacheListener> listener) { impl_->add_listener(std::move(listener)); }
void Cache::remove_listener(const std::shared_ptr<CacheListener>& listener) { impl_->remove_listener(listener); }

}  // namespace zcache
