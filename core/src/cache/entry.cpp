#include "cache/entry.h"

#include "util/hash.h"

#include <zcache/cache.h>

#include <cstring>
#include <new>

namespace zcache::detail {

static_assert(kMaxTags < 128, "Entry::tag_count has 7 bits");

namespace {

// memcpy that also reports whether every byte is < 0x80, in the same pass: the bytes are in
// registers anyway, so knowing costs nothing next to reading them again later.
bool copy_and_check_ascii(char* dst, const char* src, std::size_t n) noexcept {
  std::uint64_t seen = 0;
  std::size_t i = 0;
  for (; i + sizeof seen <= n; i += sizeof seen) {
    std::uint64_t word;
    std::memcpy(&word, src + i, sizeof word);
    std::memcpy(dst + i, &word, sizeof word);
    seen |= word;
  }
  for (; i < n; ++i) {
    dst[i] = src[i];
    seen |= static_cast<unsigned char>(src[i]);
  }
  return (seen & 0x8080808080808080u) == 0;
}

}  // namespace

Entry* Entry::create(std::string_view key, std::string_view value, std::uint8_t encoding,
                     std::span<const std::string> tags, const Windows& windows) {
  std::size_t tags_len = 0;
  for (const auto& t : tags) tags_len += sizeof(std::uint16_t) + t.size();
  void* mem = ::operator new(sizeof(Entry) + key.size() + value.size() + tags_len);
  Entry* e = new (mem) Entry;
  e->key_len = static_cast<std::uint16_t>(key.size());
  e->value_len = static_cast<std::uint32_t>(value.size());
  e->tags_len = static_cast<std::uint16_t>(tags_len);
  e->encoding = encoding;
  e->tag_count = static_cast<std::uint8_t>(tags.size());
  e->fresh_until.store(windows.fresh_until, std::memory_order_relaxed);
  e->stale_until = windows.stale_until;
  e->error_until = windows.error_until;
  char* p = e->data();
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  p += key.size();
  e->ascii = copy_and_check_ascii(p, value.data(), value.size());
  p += value.size();
  for (const auto& t : tags) {
    const auto len = static_cast<std::uint16_t>(t.size());
    std::memcpy(p, &len, sizeof len);
    std::memcpy(p + sizeof len, t.data(), t.size());
    p += sizeof len + t.size();
  }
  return e;
}

void retain(Entry* e) noexcept { e->refs.fetch_add(1, std::memory_order_relaxed); }

void release(Entry* e) noexcept {
  if (e->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    e->~Entry();
    ::operator delete(e);
  }
}



}  // namespace zcache::detail

namespace zcache {

std::string_view EntryRef::key() const noexcept { return e_->key(); }
std::string_view EntryRef::value() const noexcept { return e_->value(); }
std::uint8_t EntryRef::encoding() const noexcept { return e_->encoding; }
bool EntryRef::value_is_ascii() const noexcept { return e_->ascii; }
std::int64_t EntryRef::fresh_until_ms() const noexcept { return e_->fresh(); }
std::int64_t EntryRef::stale_until_ms() const noexcept { return e_->stale_until; }
std::int64_t EntryRef::error_until_ms() const noexcept { return e_->error_until; }

std::vector<std::string_view> EntryRef::tags() const {
  std::vector<std::string_view> out;
  out.reserve(e_->tag_count);
  e_->for_each_tag([&](std::string_view t) { out.push_back(t); });
  return out;
}

}  // namespace zcache
