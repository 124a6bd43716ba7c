// The stored form of one cache entry: a single allocation holding the header, the key, the
// value and the tags, shared by reference count between the cache and any EntryRef.
//
// Immutable once published, except `fresh_until` (lowered by a soft purge) and the policy and
// timer fields, which only the owning shard touches under its lock.
#pragma once

#include "cache/intrusive_list.h"
#include "util/hash.h"

#include <zcache/entry.h>

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace zcache::detail {

// Bytes charged per entry beyond its own block: the hash-table slot, the allocator's header, and
// the frequency-sketch counters sized by the entry count. Measured by bench/core
// (bytes_overhead_per_entry: 129 B with an ordered index, 120 B without — 9 B of it went);
// kept honest so the byte budget means memory.
inline constexpr std::uint64_t kIndexOverheadBytes = 40;
// Per tag of an entry: its slot in the tag index.
inline constexpr std::uint64_t kTagIndexOverheadBytes = 24;

struct Windows {
  std::int64_t fresh_until;
  std::int64_t stale_until;
  std::int64_t error_until;
};

struct Entry {
  std::atomic<std::uint32_t> refs{1};
  std::uint32_t value_len = 0;
  std::uint16_t key_len = 0;
  std::uint16_t tags_len = 0;   // bytes of the encoded tags: (u16 length, bytes)*
  std::uint8_t encoding = 0;
  // Both set once by create(), so sharing a byte races with nothing.
  std::uint8_t tag_count : 7 = 0;  // at most kMaxTags (checked in entry.cpp)
  std::uint8_t ascii : 1 = 0;      // every value byte is < 0x80 (so also Latin-1 text)
  std::uint8_t queue = 0;       // the eviction policy's queue (0 when not resident)
  std::uint8_t timer_slot = 0xff;
  std::atomic<std::int64_t> fresh_until{0};
  std::int64_t stale_until = 0;
  std::int64_t error_until = 0;
  ListLinks<Entry> lru;
  ListLinks<Entry> timer;

  // Allocates an entry holding one reference. Inputs are validated by the caller.
  static Entry* create(std::string_view key, std::string_view value, std::uint8_t encoding,
                       std::span<const std::string> tags, const Windows& windows);

  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  std::string_view key() const noexcept { return {data(), key_len}; }
  std::string_view value() const noexcept { return {data() + key_len, value_len}; }

  template <class F>
  void for_each_tag(F&& f) const {
    const char* p = data() + key_len + value_len;
    for (int i = 0; i < tag_count; ++i) {
      std::uint16_t len;
      __builtin_memcpy(&len, p, sizeof len);
      f(std::string_view(p + sizeof len, len));
      p += sizeof len + len;
    }
  }

  std::uint64_t block_bytes() const noexcept {
    return sizeof(Entry) + key_len + value_len + tags_len;
  }
  // What the entry costs the byte budget.
  std::uint64_t charge() const noexcept {
    return block_bytes() + kIndexOverheadBytes + tag_count * kTagIndexOverheadBytes;
  }
  std::int64_t fresh() const noexcept { return fresh_until.load(std::memory_order_relaxed); }
  // When the entry is of no more use at all and its memory is reclaimed.
  std::int64_t reclaim_at() const noexcept {
    return stale_until > error_until ? stale_until : error_until;
  }
};

inline std::uint64_t hash_key(std::string_view key) noexcept { return util::hash_bytes(key); }

}  // namespace zcache::detail
