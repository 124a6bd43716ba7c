#include "cache/frequency_sketch.h"

#include <algorithm>
#include <bit>
#include <new>

namespace zcache::detail {
namespace {
constexpr std::uint64_t kResetMask = 0x7777777777777777ull;
constexpr std::uint64_t kOneMask = 0x1111111111111111ull;

std::uint64_t spread(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}
std::uint64_t rehash(std::uint64_t x) noexcept {
  x *= 0x31848bab8f4a7c15ull;
  x ^= x >> 29;
  return x;
}
}  // namespace

void FrequencySketch::ensure_capacity(std::uint64_t capacity) {
  std::uint64_t size = std::bit_ceil(std::max<std::uint64_t>(capacity, kBlockWords));
  size = std::min<std::uint64_t>(size, 1ull << 30);
  if (size <= table_size_) return;
  auto* words = static_cast<std::uint64_t*>(std::aligned_alloc(64, size * sizeof(std::uint64_t)));
  if (!words) throw std::bad_alloc();
  std::fill_n(words, size, 0);
  table_.reset(words);
  table_size_ = size;
  block_mask_ = (size / kBlockWords) - 1;
  sample_size_ = 10 * std::max<std::uint64_t>(capacity, 16);
  size_ = 0;
}

// The four counters of a key all live in one 64-byte block (8 words): block-based count-min, as
// Caffeine 3 does it, so a lookup or an increment touches one cache line instead of four.
// Counter i lives in word 2i or 2i+1 of the block, at one of its 16 nibbles.
template <class F>
inline void FrequencySketch::for_each_counter(std::uint64_t hash, F&& f) const noexcept {
  const std::uint64_t block_hash = spread(hash);
  const std::uint64_t counter_hash = rehash(block_hash);
  const std::uint64_t block = (block_hash & block_mask_) * kBlockWords;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t h = counter_hash >> (i << 3);
    const int nibble = static_cast<int>((h >> 1) & 15);
    const std::uint64_t word = block + (h & 1) + static_cast<std::uint64_t>(i << 1);
    f(word, nibble << 2);
  }
}

int FrequencySketch::frequency(std::uint64_t hash) const noexcept {
  int freq = 15;
  for_each_counter(hash, [&](std::uint64_t word, int shift) {
    freq = std::min(freq, static_cast<int>((table_[word] >> shift) & 0xf));
  });
  return freq;
}

void FrequencySketch::increment(std::uint64_t hash) noexcept {
  bool added = false;
  for_each_counter(hash, [&](std::uint64_t word, int shift) {
    const std::uint64_t mask = 0xfull << shift;
    if ((table_[word] & mask) != mask) {
      table_[word] += 1ull << shift;
      added = true;
    }
  });
  if (added && ++size_ >= sample_size_) reset();
}

// Halves every counter. Counters that were odd lose their low bit; size_ follows.
void FrequencySketch::reset() noexcept {
  std::uint64_t odd = 0;
  for (std::uint64_t i = 0; i < table_size_; ++i) {
    std::uint64_t& word = table_[i];
    odd += static_cast<std::uint64_t>(std::popcount(word & kOneMask));
    word = (word >> 1) & kResetMask;
  }
  size_ = (size_ - (odd >> 2)) >> 1;
}

}  // namespace zcache::detail
