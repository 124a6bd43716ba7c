// brain/store/metric_sample.h — one poll of one worker's metrics, as the brain stores it.
#pragma once

#include <cstdint>
#include <string>

#include "brain/store/latency_histogram.h"

namespace zcache::brain {

// The worker's counters at the moment of the poll. Cumulative since the worker started (the
// worker's own counters); the store keeps them as given. Values above 2^63-1 are stored clamped
// (SQLite integers are signed 64-bit).
struct MetricCounters {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t bytes_served = 0;
  std::uint64_t bytes_stored = 0;
  std::uint64_t object_count = 0;
  std::uint64_t evictions = 0;
  std::uint64_t capacity_bytes = 0;

  bool operator==(const MetricCounters&) const = default;
};

struct MetricSample {
  std::string node_id;
  std::int64_t collected_at_ms = 0;  // Unix milliseconds (the `now` given to record_sample)
  MetricCounters counters;
  LatencyHistogram latency;
};

}  // namespace zcache::brain
