// Tests for brain/store/latency_histogram.h (layout, merge, percentile math, JSON) and
// brain/store/time_format.h.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "brain/store/latency_histogram.h"
#include "brain/store/time_format.h"

namespace zcache::brain {
namespace {

using nlohmann::json;
using H = LatencyHistogram;

TEST(Histogram, Layout) {
  EXPECT_EQ(H::upper_bound_us(0), 10u);
  EXPECT_EQ(H::upper_bound_us(4), 20u);
  EXPECT_EQ(H::upper_bound_us(40), 10240u);  // 10 µs × 2^10
  for (std::size_t i = 1; i < H::kBoundedBuckets; ++i) {
    EXPECT_GT(H::upper_bound_us(i), H::upper_bound_us(i - 1)) << i;
    // Each step is at most ~19% (plus rounding at the small end).
    EXPECT_LE(static_cast<double>(H::upper_bound_us(i)), H::upper_bound_us(i - 1) * 1.2 + 1) << i;
  }
  EXPECT_GT(H::upper_bound_us(H::kBoundedBuckets - 1), 60'000'000u);
}

TEST(Histogram, BucketEdgesAreInclusiveUpperBounds) {
  EXPECT_EQ(H::bucket_for(0), 0u);
  EXPECT_EQ(H::bucket_for(10), 0u);
  EXPECT_EQ(H::bucket_for(11), 1u);
  EXPECT_EQ(H::bucket_for(12), 1u);
  EXPECT_EQ(H::bucket_for(13), 2u);
  EXPECT_EQ(H::bucket_for(UINT64_MAX), H::kBucketCount - 1);
  EXPECT_EQ(H::bucket_for(H::upper_bound_us(H::kBoundedBuckets - 1) + 1), H::kBucketCount - 1);
}

TEST(Histogram, EmptyIsZero) {
  H h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.percentile_us(99), 0.0);
  EXPECT_EQ(h.mean_us(), 0.0);
}

TEST(Histogram, CountSumMaxMean) {
  H h;
  h.record(100);
  h.record(300, 3);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum_us(), 1000u);
  EXPECT_EQ(h.max_us(), 300u);
  EXPECT_DOUBLE_EQ(h.mean_us(), 250.0);
  h.record(5, 0);  // zero times: nothing
  EXPECT_EQ(h.count(), 4u);
}

TEST(Histogram, IdenticalValuesGiveThatValue) {
  H h;
  h.record(5000, 1000);
  for (double p : {1.0, 50.0, 95.0, 99.0, 100.0}) {
    const double v = h.percentile_us(p);
    EXPECT_LE(v, 5000.0) << p;                      // never above the true maximum
    EXPECT_GE(v, H::upper_bound_us(H::bucket_for(5000) - 1)) << p;  // inside the right bucket
  }
  EXPECT_EQ(h.percentile_us(100), 5000.0);
}

TEST(Histogram, PercentilesOfAUniformSpreadAreClose) {
  H h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v);  // 1 µs .. 100 ms, evenly
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
    const double exact = p / 100.0 * 100000.0;
    EXPECT_NEAR(h.percentile_us(p), exact, exact * 0.02) << "p" << p;  // interpolation: within 2%
  }
  EXPECT_EQ(h.percentile_us(100), 100000.0);
  EXPECT_NEAR(h.mean_us(), 50000.5, 1e-6);
}

TEST(Histogram, PercentilesOfALogNormalSpreadAreWithinABucket) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(7.0, 1.0);  // median ~1.1 ms
  std::vector<std::uint64_t> values;
  H h;
  for (int i = 0; i < 50000; ++i) {
    const auto v = static_cast<std::uint64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 95.0, 99.0}) {
    const double exact = static_cast<double>(values[static_cast<std::size_t>(std::ceil(p / 100 * values.size())) - 1]);
    EXPECT_NEAR(h.percentile_us(p), exact, exact * 0.19) << "p" << p;  // bucket width bound
  }
}

TEST(Histogram, NearestRankPicksTheRightBucket) {
  H h;
  h.record(100, 95);     // bucket around 100 µs
  h.record(50000, 5);    // bucket around 50 ms
  // The 95th of 100 samples is still a fast one (somewhere in 100 µs's bucket).
  EXPECT_LE(h.percentile_us(95), static_cast<double>(H::upper_bound_us(H::bucket_for(100))));
  EXPECT_GT(h.percentile_us(96), 40000.0);
  EXPECT_GT(h.percentile_us(99), 40000.0);
  EXPECT_LE(h.percentile_us(99), 50000.0);
}

TEST(Histogram, OutOfRangePercentilesAreClamped) {
  H h;
  h.record(100, 10);
  h.record(200, 10);
  EXPECT_EQ(h.percentile_us(-5), h.percentile_us(0));
  EXPECT_EQ(h.percentile_us(500), 200.0);
  EXPECT_EQ(h.percentile_us(std::nan("")), h.percentile_us(0));
}

TEST(Histogram, OverflowBucketUsesTheMaximum) {
  H h;
  h.record(100'000'000, 2);  // 100 s, beyond the last bound
  EXPECT_EQ(h.percentile_us(99), 100'000'000.0);
  EXPECT_LE(h.percentile_us(50), 100'000'000.0);
  EXPECT_GT(h.percentile_us(50), static_cast<double>(H::upper_bound_us(H::kBoundedBuckets - 1)));
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(11);
  H a, b, all;
  for (int i = 0; i < 5000; ++i) {
    const std::uint64_t v = rng() % 2'000'000;
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  H merged = a;
  merged.merge(b);
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.percentile_us(99), all.percentile_us(99));
  H empty;
  merged.merge(empty);
  EXPECT_EQ(merged, all);
}

TEST(Histogram, MergedPercentilesAreNotAveragedPercentiles) {
  // A busy fast node and a quiet slow one: the cluster p99 is the fast node's, not the mean of p99s.
  H fast, slow;
  fast.record(1000, 1000);   // 1 ms
  slow.record(100000, 10);   // 100 ms
  const double averaged = (fast.percentile_us(99) + slow.percentile_us(99)) / 2;
  H cluster = fast;
  cluster.merge(slow);
  EXPECT_LE(cluster.percentile_us(99), static_cast<double>(H::upper_bound_us(H::bucket_for(1000))));
  EXPECT_GT(averaged, 50000.0);
  EXPECT_GT(cluster.percentile_us(99.5), 90000.0);  // the slow tail shows up where it belongs
  EXPECT_NEAR(cluster.mean_us(), (1000.0 * 1000 + 100000.0 * 10) / 1010, 1e-9);
}

TEST(Histogram, CountersSaturate) {
  H h;
  h.record(5, UINT64_MAX);
  h.record(5, 10);
  EXPECT_EQ(h.count(), UINT64_MAX);
  H g = h;
  g.merge(h);
  EXPECT_EQ(g.count(), UINT64_MAX);
}

TEST(HistogramJson, RoundTrip) {
  H h;
  h.record(7);
  h.record(1500, 20);
  h.record(90'000'000);
  const json j = histogram_to_json(h);
  EXPECT_EQ(j["layout"], "zcache.latency.v1");
  EXPECT_EQ(j["counts"].size(), H::kBucketCount);  // overflow bucket used: nothing to trim
  const auto back = histogram_from_json(json::parse(j.dump()));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
}

TEST(HistogramJson, TrailingZerosAreTrimmed) {
  H h;
  h.record(11, 2);
  const json j = histogram_to_json(h);
  EXPECT_EQ(j["counts"], json::array({0, 2}));
  EXPECT_EQ(*histogram_from_json(j), h);
  EXPECT_EQ(histogram_to_json(H{})["counts"], json::array());
}

TEST(HistogramJson, MinimalFormFromAWorker) {
  // counts only: max_us defaults to the top bucket's bound, sum_us to 0.
  const auto h = histogram_from_json(json{{"layout", "zcache.latency.v1"}, {"counts", {0, 0, 0, 4}}});
  ASSERT_TRUE(h);
  EXPECT_EQ(h->count(), 4u);
  EXPECT_EQ(h->max_us(), 17u);
  EXPECT_LE(h->percentile_us(99), 17.0);
}

TEST(HistogramJson, RefusesBadInput) {
  const json good = histogram_to_json(H{});
  auto with = [&](const char* key, json v) {
    json j = good;
    j[key] = std::move(v);
    return j;
  };
  json no_layout = good;
  no_layout.erase("layout");
  const json bad[] = {
      json::array(), json("x"), no_layout, with("layout", "prometheus"), with("counts", "1,2"),
      with("counts", json::array({-1})), with("counts", json::array({1.5})), with("counts", json::array({"1"})),
      with("counts", json(std::vector<int>(H::kBucketCount + 1, 0))),
      with("counts", json::array({UINT64_MAX, 1})), with("sum_us", -1), with("max_us", "9"),
      // max_us must fall in the highest non-empty bucket
      json{{"layout", "zcache.latency.v1"}, {"counts", {0, 0, 0, 4}}, {"max_us", 500}},
      json{{"layout", "zcache.latency.v1"}, {"counts", {0, 0, 0, 4}}, {"max_us", 3}},
  };
  for (const json& j : bad) {
    std::string error;
    EXPECT_FALSE(histogram_from_json(j, &error)) << j.dump();
    EXPECT_FALSE(error.empty()) << j.dump();
  }
}

TEST(TimeFormat, Rfc3339Utc) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'772'798'400'000), "2026-03-06T12:00:00Z");
  EXPECT_EQ(format_rfc3339(1'772'798'400'999), "2026-03-06T12:00:00Z");  // ms floored
  EXPECT_EQ(format_rfc3339(951'782'400'000), "2000-02-29T00:00:00Z");    // leap day
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(253402300799999), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(INT64_MAX), "9999-12-31T23:59:59Z");  // clamped, fixed shape
  EXPECT_EQ(format_rfc3339(INT64_MIN), "0000-01-01T00:00:00Z");
}

}  // namespace
}  // namespace zcache::brain
