#include "cache/shard.h"

namespace zcache::detail {

Shard::Shard(std::uint64_t budget, std::int64_t now_ms, std::atomic<std::uint32_t>& changes)
    : changes_(changes), policy_(budget, 1024), wheel_(now_ms) {}

Shard::~Shard() {
  for (Entry* e : map_) release(e);
}

void Shard::index_tags(Entry* e) {
  e->for_each_tag([&](std::string_view tag) {
    auto it = tags_.find(tag);
    if (it == tags_.end()) it = tags_.emplace(std::string(tag), absl::flat_hash_set<Entry*>{}).first;
    it->second.insert(e);
  });
}

void Shard::unindex_tags(Entry* e) {
  e->for_each_tag([&](std::string_view tag) {
    auto it = tags_.find(tag);
    if (it == tags_.end()) return;
    it->second.erase(e);
    if (it->second.empty()) tags_.erase(it);
  });
}

void Shard::unindex(Entry* e) {
  map_.erase(e);
  unindex_tags(e);
  wheel_.deschedule(*e);
}

void Shard::insert(Entry* e, std::uint64_t hash, Deferred& out) {
  auto it = map_.find(e->key(), hash);
  if (it != map_.end()) {
    // Same key: the new entry takes the old one's slot in the key index. Swapping the pointer in
    // place keeps the set's invariants (the key, hence the hash, is unchanged) and saves a
    // re-hash on every overwrite.
    Entry* old = *it;
    const_cast<Entry*&>(*it) = e;
    unindex_tags(old);
    wheel_.deschedule(*old);
    policy_.on_replace(*old, *e, hash);
    out.removed(EntryRef(old), RemovalCause::Replaced);
  } else {
    policy_.on_insert(*e, hash);
    map_.insert(e);
  }
  index_tags(e);
  wheel_.schedule(*e);
  policy_.evict([&](Entry& victim) {
    unindex(&victim);
    ++counters.evictions;
    out.removed(EntryRef(&victim), RemovalCause::Evicted);
  });
  changed();
}

void Shard::remove(Entry* e, RemovalCause cause, Deferred& out) {
  unindex(e);
  policy_.on_remove(*e);
  out.removed(EntryRef(e), cause);
  changed();
}

void Shard::advance_time(std::int64_t now_ms, Deferred& out) {
  wheel_.advance(now_ms, [&](Entry& e) {
    ++counters.expirations;
    remove(&e, RemovalCause::Expired, out);
  });
}

void Shard::remove_all(RemovalCause cause, Deferred& out) {
  std::vector<Entry*> all(map_.begin(), map_.end());
  for (Entry* e : all) remove(e, cause, out);
}

}  // namespace zcache::detail
