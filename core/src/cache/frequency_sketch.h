// A count-min sketch of 4-bit counters that estimates how often a key was seen, with aging:
// after 10 × capacity increments every counter is halved, so the estimate follows the recent
// past. This is Caffeine's FrequencySketch (Einziger & Friedman, "TinyLFU"): 16 counters in one
// 64-bit word, 4 hash functions, each picking a counter in a different quarter of a word.
#pragma once

#include <cstdint>
#include <vector>

namespace zcache::detail {

class FrequencySketch {
 public:
  explicit FrequencySketch(std::uint64_t capacity = 16) { ensure_capacity(capacity); }

  // Grows the table for `capacity` distinct keys (never shrinks). Growing forgets the counts.
  void ensure_capacity(std::uint64_t capacity);
  std::uint64_t capacity() const noexcept { return table_.size(); }
  // Increments between agings: also the hill climber's sample period.
  std::uint64_t sample_size() const noexcept { return sample_size_; }

  // Estimated frequency, 0..15.
  int frequency(std::uint64_t hash) const noexcept;
  void increment(std::uint64_t hash) noexcept;

 private:
  void reset() noexcept;
  std::uint64_t index_of(std::uint64_t item, int i) const noexcept;

  std::vector<std::uint64_t> table_;
  std::uint64_t mask_ = 0;
  std::uint64_t sample_size_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace zcache::detail
