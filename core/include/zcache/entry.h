// zcache/entry.h — EntryRef: a shared, immutable view of one stored value.
//
// An EntryRef keeps its entry's memory alive (an intrusive reference count), so a value can be
// read, or handed to another language without a copy, after the entry was evicted, purged or
// replaced. Copying one is an atomic increment. Safe to use and destroy on any thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace zcache {

namespace detail {
struct Entry;
void retain(Entry* e) noexcept;
void release(Entry* e) noexcept;
}  // namespace detail

class EntryRef {
 public:
  EntryRef() noexcept = default;
  // Adopts one reference that the caller already holds.
  explicit EntryRef(detail::Entry* adopted) noexcept : e_(adopted) {}
  EntryRef(const EntryRef& o) noexcept : e_(o.e_) { if (e_) detail::retain(e_); }
  EntryRef(EntryRef&& o) noexcept : e_(std::exchange(o.e_, nullptr)) {}
  EntryRef& operator=(EntryRef o) noexcept { std::swap(e_, o.e_); return *this; }
  ~EntryRef() { if (e_) detail::release(e_); }

  explicit operator bool() const noexcept { return e_ != nullptr; }

  std::string_view key() const noexcept;
  std::string_view value() const noexcept;
  std::uint8_t encoding() const noexcept;
  // Every byte of value() is below 0x80: as text it is the same in ASCII, UTF-8 and Latin-1
  // (a binding may hand it out as a one-byte string without decoding or copying it).
  bool value_is_ascii() const noexcept;
  std::vector<std::string_view> tags() const;
  // Windows, in the cache clock's milliseconds. fresh_until may move earlier (soft purge).
  std::int64_t fresh_until_ms() const noexcept;
  std::int64_t stale_until_ms() const noexcept;
  std::int64_t error_until_ms() const noexcept;

  // Distinct for every stored version of a key while any reference to it lives: a binding's
  // per-thread cache of decoded values compares it with the engine's current entry.
  const void* identity() const noexcept { return e_; }

  detail::Entry* get() const noexcept { return e_; }
  // Gives up ownership of the reference without releasing it (for handing to a finalizer).
  detail::Entry* release_ownership() noexcept { return std::exchange(e_, nullptr); }

 private:
  detail::Entry* e_ = nullptr;
};

}  // namespace zcache
