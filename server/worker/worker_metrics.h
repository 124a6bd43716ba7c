// What a worker measures for the brain's metrics poller, and the JSON it answers GET /metrics
// with (the format brain/api's poller reads):
//
//   {"hits", "misses", "stale_hits", "bytes_served", "bytes_stored", "capacity_bytes",
//    "object_count", "evictions", "latency": <histogram_to_json: zcache.latency.v1, µs>}
//
// A hybrid node (--data) adds "disk": {"bytes_stored", "capacity_bytes", "object_count",
// "evictions", "reads", "read_hits", "write_errors", "dropped"} (the store's figures) and
// "disk_hits" (reads served from the file); the top-level figures stay memory's.
//
// Counters are relaxed atomics (read by tests and other threads); the latency histogram is
// touched only on the server's loop thread (recorded by handlers, read by GET /metrics).
#pragma once

#include "brain/store/latency_histogram.h"

#include <zcache/cache.h>
#include <zcache/replica.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>

namespace zcache::worker {

struct WorkerMetrics {
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> stale_hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> bytes_served{0};
  std::atomic<std::uint64_t> writes{0};
  brain::LatencyHistogram latency;  // object reads, from request parsed to response queued

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
  }
  nlohmann::json to_json(const Stats& engine, const ReplicaStats* disk = nullptr) const;
};

}  // namespace zcache::worker
