// A count-min sketch of 4-bit counters that estimates how often a key was seen, with aging:
// after 10 × capacity increments every counter is halved, so the estimate follows the recent
// past. This is Caffeine's FrequencySketch (Einziger & Friedman, "TinyLFU"): 16 counters in one
// 64-bit word, 4 counters per key, all four in one cache-line block.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>

namespace zcache::detail {

class FrequencySketch {
 public:
  explicit FrequencySketch(std::uint64_t capacity = 16) { ensure_capacity(capacity); }

  // Grows the table for `capacity` distinct keys (never shrinks). Growing forgets the counts.
  void ensure_capacity(std::uint64_t capacity);
  std::uint64_t capacity() const noexcept { return table_size_; }
  // Increments between agings: also the hill climber's sample period.
  std::uint64_t sample_size() const noexcept { return sample_size_; }

  // Estimated frequency, 0..15.
  int frequency(std::uint64_t hash) const noexcept;
  void increment(std::uint64_t hash) noexcept;

 private:
  static constexpr std::uint64_t kBlockWords = 8;

  void reset() noexcept;
  template <class F>
  void for_each_counter(std::uint64_t hash, F&& f) const noexcept;

  struct Free {
    void operator()(std::uint64_t* p) const noexcept { std::free(p); }
  };
  std::unique_ptr<std::uint64_t[], Free> table_;  // 64-byte aligned: one block per cache line
  std::uint64_t table_size_ = 0;
  std::uint64_t block_mask_ = 0;
  std::uint64_t sample_size_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace zcache::detail
