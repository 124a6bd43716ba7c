#include "cache/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace zcache::detail {
namespace {
constexpr std::uint64_t kSeeds[4] = {0xc3a5c85c97cb3127ull, 0xb492b66fbe98f273ull,
                                     0x9ae16a3b2f90404full, 0xcbf29ce484222325ull};
constexpr std::uint64_t kResetMask = 0x7777777777777777ull;
constexpr std::uint64_t kOneMask = 0x1111111111111111ull;

std::uint64_t spread(std::uint64_t x) noexcept {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return x;
}
}  // namespace

void FrequencySketch::ensure_capacity(std::uint64_t capacity) {
  std::uint64_t size = std::bit_ceil(std::max<std::uint64_t>(capacity, 16));
  size = std::min<std::uint64_t>(size, 1ull << 30);
  if (size <= table_.size()) return;
  table_.assign(size, 0);
  mask_ = size - 1;
  sample_size_ = 10 * std::max<std::uint64_t>(capacity, 16);
  size_ = 0;
}

std::uint64_t FrequencySketch::index_of(std::uint64_t item, int i) const noexcept {
  std::uint64_t h = (item + kSeeds[i]) * kSeeds[i];
  h += h >> 32;
  return h & mask_;
}

int FrequencySketch::frequency(std::uint64_t hash) const noexcept {
  const std::uint64_t h = spread(hash);
  const int start = static_cast<int>((h & 3) << 2);
  int freq = 15;
  for (int i = 0; i < 4; ++i) {
    const int offset = (start + i) << 2;
    const int count = static_cast<int>((table_[index_of(h, i)] >> offset) & 0xf);
    freq = std::min(freq, count);
  }
  return freq;
}

void FrequencySketch::increment(std::uint64_t hash) noexcept {
  const std::uint64_t h = spread(hash);
  const int start = static_cast<int>((h & 3) << 2);
  bool added = false;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t& word = table_[index_of(h, i)];
    const int offset = (start + i) << 2;
    const std::uint64_t mask = 0xfull << offset;
    if ((word & mask) != mask) {
      word += 1ull << offset;
      added = true;
    }
  }
  if (added && ++size_ >= sample_size_) reset();
}

// Halves every counter. Counters that were odd lose their low bit; size_ follows.
void FrequencySketch::reset() noexcept {
  std::uint64_t odd = 0;
  for (std::uint64_t& word : table_) {
    odd += static_cast<std::uint64_t>(std::popcount(word & kOneMask));
    word = (word >> 1) & kResetMask;
  }
  size_ = (size_ - (odd >> 2)) >> 1;
}

}  // namespace zcache::detail
