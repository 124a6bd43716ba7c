// brain/store/latency_histogram.h — the fixed latency histogram workers report and the brain merges.
//
// Layout "zcache.latency.v1": bucket i (0 <= i < kBoundedBuckets) holds latencies in
// (upper_bound(i-1), upper_bound(i)] microseconds, with upper_bound(-1) = 0; the last bucket holds
// everything above the largest bound (~70.5 s). Bounds are 10 µs × 2^(i/4), rounded to whole µs:
// 10, 12, 14, 17, 20, 24, 28, 34, 40, ... — four buckets per doubling, so any value is within ~19%
// of its bucket's edges, and linear interpolation inside a bucket does better in practice.
//
// Why a fixed layout: histograms from different workers (and different moments) merge by adding
// counts bucket by bucket, and percentiles come from the merged counts. Averaging per-node
// percentiles is wrong (one slow, quiet node would drag the cluster's p99 to its own).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace zcache::brain {

class LatencyHistogram {
 public:
  static constexpr std::size_t kBoundedBuckets = 92;                // last bound 70,548,578 µs
  static constexpr std::size_t kBucketCount = kBoundedBuckets + 1;  // + the overflow bucket
  static constexpr const char* kLayout = "zcache.latency.v1";

  // Upper bound of bucket i in µs, for i < kBoundedBuckets.
  static std::uint64_t upper_bound_us(std::size_t i) noexcept;
  // The bucket a latency falls in.
  static std::size_t bucket_for(std::uint64_t latency_us) noexcept;

  void record(std::uint64_t latency_us, std::uint64_t times = 1) noexcept;
  // Adds other's counts to ours (saturating; counters never wrap).
  void merge(const LatencyHistogram& other) noexcept;

  std::uint64_t count() const noexcept { return total_; }
  std::uint64_t sum_us() const noexcept { return sum_us_; }
  std::uint64_t max_us() const noexcept { return max_us_; }
  bool empty() const noexcept { return total_ == 0; }
  const std::array<std::uint64_t, kBucketCount>& buckets() const noexcept { return counts_; }

  // Mean latency in µs (sum / count); 0 when empty.
  double mean_us() const noexcept;
  // The p-th percentile in µs, p in [0, 100] (clamped): the nearest-rank sample's bucket, linearly
  // interpolated inside the bucket and never above max_us(). 0 when empty.
  double percentile_us(double p) const noexcept;

  // Sets one bucket's count directly (decoding); keeps count() consistent.
  void set_bucket(std::size_t i, std::uint64_t n) noexcept;
  void set_sum_us(std::uint64_t v) noexcept { sum_us_ = v; }
  void set_max_us(std::uint64_t v) noexcept { max_us_ = v; }

  bool operator==(const LatencyHistogram&) const = default;

 private:
  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_us_ = 0;
  std::uint64_t max_us_ = 0;
};

// Wire and storage form: {"layout":"zcache.latency.v1","counts":[...],"sum_us":N,"max_us":N}.
// Trailing zero buckets are omitted from "counts".
nlohmann::json histogram_to_json(const LatencyHistogram& h);

// The inverse. Refuses (with a message in *error) another layout, more than kBucketCount counts,
// anything but non-negative integers, and totals that overflow. sum_us and max_us may be absent
// (max_us then defaults to the top non-empty bucket's bound). Never throws.
std::optional<LatencyHistogram> histogram_from_json(const nlohmann::json& j, std::string* error = nullptr) noexcept;

}  // namespace zcache::brain
