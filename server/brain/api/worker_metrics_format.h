// brain/api/worker_metrics_format.h — the JSON a worker answers `GET {endpoint}/metrics` with, as
// the brain's metrics poller reads it. The worker side (server/worker/worker_metrics.cpp) writes it.
//
// Request:  GET {endpoint}/metrics  with  Authorization: Bearer <HS256 JWT from the shared secret>
// Answer:   200, Content-Type application/json, a JSON object:
//
//   {
//     "hits":           <uint>  reads answered from the cache since the worker started,
//                               stale hits included
//     "stale_hits":     <uint>  of which served stale (optional; informational)
//     "misses":         <uint>  reads that found nothing
//     "bytes_served":   <uint>  body bytes sent for hits
//     "bytes_stored":   <uint>  bytes held now (the node's used_bytes)
//     "capacity_bytes": <uint>  the engine's byte budget
//     "object_count":   <uint>  objects held now
//     "evictions":      <uint>  objects evicted for space since the worker started
//     "latency":        {"layout":"zcache.latency.v1","counts":[...],"sum_us":N,"max_us":N}
//                               read latency in µs, cumulative since start (histogram_to_json in
//                               brain/store/latency_histogram.h)
//   }
//
// Counters are cumulative since the worker started (not deltas): the brain keeps each poll as a
// sample and aggregates the newest sample of every node. Every field except stale_hits is required
// and must be a non-negative JSON integer (a float, string or negative number refuses the whole
// answer, so no sample is recorded); unknown fields are ignored, so workers may report more.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "brain/store/latency_histogram.h"
#include "brain/store/metric_sample.h"

namespace zcache::brain {

struct WorkerReport {
  MetricCounters counters;
  LatencyHistogram latency;
};

// The report, or nullopt with the reason in *error (naming the field). Never throws.
std::optional<WorkerReport> parse_worker_metrics(const nlohmann::json& body, std::string* error = nullptr) noexcept;

}  // namespace zcache::brain
