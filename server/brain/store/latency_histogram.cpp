#include "brain/store/latency_histogram.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace zcache::brain {
namespace {

// 10 µs × 2^(k + j/4) with 2^(j/4) as exact-enough fixed-point ratios, so every build (worker and
// brain, any compiler) computes the same integers — no floating point in the layout.
constexpr std::array<std::uint64_t, LatencyHistogram::kBoundedBuckets> make_bounds() {
  constexpr std::uint64_t kRatio[4] = {100000, 118921, 141421, 168179};  // 2^(j/4) × 10^5
  std::array<std::uint64_t, LatencyHistogram::kBoundedBuckets> b{};
  for (std::size_t i = 0; i < b.size(); ++i) {
    const std::uint64_t base = std::uint64_t{10} << (i / 4);
    b[i] = (base * kRatio[i % 4] + 50000) / 100000;
  }
  return b;
}
constexpr auto kBounds = make_bounds();
static_assert(kBounds[0] == 10 && kBounds[1] == 12 && kBounds[2] == 14 && kBounds[3] == 17 && kBounds[4] == 20);
static_assert(kBounds[LatencyHistogram::kBoundedBuckets - 1] > 60'000'000, "the last bound must exceed 60 s");

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

// A JSON integer >= 0, whether nlohmann stored it as signed or unsigned.
bool read_count(const nlohmann::json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v.get<std::int64_t>());
    return true;
  }
  return false;
}

void set_error(std::string* error, const char* message) noexcept {
  if (!error) return;
  try {
    *error = message;
  } catch (...) {
  }
}

}  // namespace

std::uint64_t LatencyHistogram::upper_bound_us(std::size_t i) noexcept {
  return i < kBoundedBuckets ? kBounds[i] : UINT64_MAX;
}

std::size_t LatencyHistogram::bucket_for(std::uint64_t latency_us) noexcept {
  // First bound >= latency: buckets are (previous, bound].
  return static_cast<std::size_t>(std::lower_bound(kBounds.begin(), kBounds.end(), latency_us) - kBounds.begin());
}

void LatencyHistogram::record(std::uint64_t latency_us, std::uint64_t times) noexcept {
  if (times == 0) return;
  auto& c = counts_[bucket_for(latency_us)];
  c = saturating_add(c, times);
  total_ = saturating_add(total_, times);
  std::uint64_t product = 0;
  sum_us_ = saturating_add(sum_us_, __builtin_mul_overflow(latency_us, times, &product) ? UINT64_MAX : product);
  max_us_ = std::max(max_us_, latency_us);
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] = saturating_add(counts_[i], other.counts_[i]);
  total_ = saturating_add(total_, other.total_);
  sum_us_ = saturating_add(sum_us_, other.sum_us_);
  max_us_ = std::max(max_us_, other.max_us_);
}

void LatencyHistogram::set_bucket(std::size_t i, std::uint64_t n) noexcept {
  if (i >= kBucketCount) return;
  total_ -= counts_[i];
  counts_[i] = n;
  total_ = saturating_add(total_, n);
}

double LatencyHistogram::mean_us() const noexcept {
  return total_ == 0 ? 0.0 : static_cast<double>(sum_us_) / static_cast<double>(total_);
}

double LatencyHistogram::percentile_us(double p) const noexcept {
  if (total_ == 0) return 0.0;
  if (!(p >= 0.0)) p = 0.0;  // also catches NaN
  if (p > 100.0) p = 100.0;
  // Nearest rank: the smallest sample with at least p% of samples at or below it (1-based).
  const double exact = p / 100.0 * static_cast<double>(total_);
  std::uint64_t rank = static_cast<std::uint64_t>(std::ceil(exact));
  rank = std::clamp<std::uint64_t>(rank, 1, total_);

  std::uint64_t below = 0;  // samples in buckets before i
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    const std::uint64_t n = counts_[i];
    if (n == 0) continue;
    if (below + n >= rank) {
      const double lower = i == 0 ? 0.0 : static_cast<double>(kBounds[i - 1]);
      double upper = i < kBoundedBuckets ? static_cast<double>(kBounds[i]) : static_cast<double>(max_us_);
      if (upper < lower) upper = lower;  // overflow bucket with an unknown max
      // Place the rank-th sample proportionally inside the bucket, assuming an even spread.
      const double fraction = static_cast<double>(rank - below) / static_cast<double>(n);
      const double value = lower + (upper - lower) * fraction;
      // No sample is above max_us (exact when recorded; a bucket bound when decoded without it).
      return std::min(value, static_cast<double>(max_us_));
    }
    below += n;
  }
  return static_cast<double>(max_us_);  // unreachable when total_ matches the counts
}

nlohmann::json histogram_to_json(const LatencyHistogram& h) {
  const auto& b = h.buckets();
  std::size_t used = b.size();
  while (used > 0 && b[used - 1] == 0) --used;
  return {{"layout", LatencyHistogram::kLayout},
          {"counts", std::vector<std::uint64_t>(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(used))},
          {"sum_us", h.sum_us()},
          {"max_us", h.max_us()}};
}

std::optional<LatencyHistogram> histogram_from_json(const nlohmann::json& j, std::string* error) noexcept {
  try {
    if (!j.is_object()) return set_error(error, "histogram must be a JSON object"), std::nullopt;
    const auto layout = j.find("layout");
    if (layout == j.end() || !layout->is_string() || layout->get_ref<const std::string&>() != LatencyHistogram::kLayout) {
      return set_error(error, "histogram layout must be \"zcache.latency.v1\""), std::nullopt;
    }
    const auto counts = j.find("counts");
    if (counts == j.end() || !counts->is_array()) return set_error(error, "histogram counts must be an array"), std::nullopt;
    if (counts->size() > LatencyHistogram::kBucketCount) {
      return set_error(error, "histogram has more buckets than layout zcache.latency.v1 (93)"), std::nullopt;
    }
    LatencyHistogram h;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < counts->size(); ++i) {
      std::uint64_t n = 0;
      if (!read_count((*counts)[i], n)) {
        return set_error(error, "histogram counts must be non-negative integers"), std::nullopt;
      }
      if (__builtin_add_overflow(total, n, &total)) return set_error(error, "histogram total overflows"), std::nullopt;
      h.set_bucket(i, n);
    }
    // sum_us and max_us are optional (a minimal reporter may send counts only). Without max_us, the
    // upper bound of the highest non-empty bucket stands in for it.
    std::uint64_t v = 0;
    if (const auto it = j.find("sum_us"); it != j.end()) {
      if (!read_count(*it, v)) return set_error(error, "histogram sum_us must be a non-negative integer"), std::nullopt;
      h.set_sum_us(v);
    }
    std::size_t top = counts->size();  // highest non-empty bucket, or size() when all are empty
    for (std::size_t i = counts->size(); i-- > 0;) {
      if (h.buckets()[i] != 0) {
        top = i;
        break;
      }
    }
    if (const auto it = j.find("max_us"); it != j.end()) {
      if (!read_count(*it, v)) return set_error(error, "histogram max_us must be a non-negative integer"), std::nullopt;
      // The maximum must lie in the highest non-empty bucket, or percentiles would be nonsense.
      if (top < counts->size() && ((top > 0 && v <= kBounds[top - 1]) ||
                                   (top < LatencyHistogram::kBoundedBuckets && v > kBounds[top]))) {
        return set_error(error, "histogram max_us is not in its highest non-empty bucket"), std::nullopt;
      }
      h.set_max_us(v);
    } else if (top < counts->size()) {
      h.set_max_us(top < LatencyHistogram::kBoundedBuckets ? kBounds[top] : kBounds.back() + 1);
    }
    return h;
  } catch (...) {
    set_error(error, "histogram could not be decoded");
    return std::nullopt;
  }
}

}  // namespace zcache::brain
