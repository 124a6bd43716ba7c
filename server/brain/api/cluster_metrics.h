// brain/api/cluster_metrics.h — the JSON bodies of /v1/cache/status, /v1/cache/metrics and
// /v1/cache/nodes/:node_id/metrics, computed from the registry and the newest sample of each node.
// Pure functions (no store, no clock), so the arithmetic is tested without a server.
//
// Decisions:
//  - hit_ratio = hits / (hits + misses), 0 when both are 0. Counters are the workers' cumulative
//    counters, so the ratio is over each worker's lifetime.
//  - Latency percentiles come from the bucket-wise merge of the samples' histograms; never from
//    averaging per-node percentiles. avg = merged sum / merged count. Milliseconds, rounded to µs.
//  - /v1/cache/status: total_cache_bytes and used_cache_bytes sum the registry (capacity_bytes,
//    used_bytes) of every registered node, whatever its status; hit_ratio uses every node's newest
//    sample.
//  - /v1/cache/metrics: every counter and byte figure (bytes_capacity included) sums the newest
//    samples (a node not polled yet adds nothing); active_nodes counts nodes with status online;
//    collected_at is the newest sample's time, or now when there is none.
//  - Per-node metrics of a node never polled: counters 0, latencies 0, capacity_bytes from the
//    registry, collected_at null.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "brain/store/metric_sample.h"
#include "brain/store/node.h"

namespace zcache::brain {

// Sums of several samples (saturating) and their merged latency histogram.
struct SampleTotals {
  MetricCounters counters;
  LatencyHistogram latency;
  std::int64_t newest_ms = 0;  // 0 when there were no samples
  std::size_t samples = 0;
};

SampleTotals sum_samples(const std::vector<MetricSample>& samples);
double hit_ratio(std::uint64_t hits, std::uint64_t misses) noexcept;

nlohmann::json status_json(const std::vector<Node>& nodes, const std::vector<MetricSample>& latest);
nlohmann::json cluster_metrics_json(const std::vector<Node>& nodes, const std::vector<MetricSample>& latest,
                                    std::int64_t now_ms);
nlohmann::json node_metrics_json(const Node& node, const std::optional<MetricSample>& latest);

}  // namespace zcache::brain
