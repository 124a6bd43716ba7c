// brain/api/prometheus_text.h — GET /metrics: Prometheus text exposition format 0.0.4
// (Content-Type "text/plain; version=0.0.4; charset=utf-8").
//
// Families (each with # HELP and # TYPE):
//   zcache_nodes{status}                gauge    registered nodes by status (online/offline/draining)
//   zcache_cache_hits_total             counter  Σ hits of each node's newest sample
//   zcache_cache_misses_total           counter  Σ misses
//   zcache_bytes_served_total           counter  Σ bytes_served
//   zcache_evictions_total              counter  Σ evictions
//   zcache_bytes_stored                 gauge    Σ bytes_stored
//   zcache_capacity_bytes               gauge    Σ capacity_bytes of the samples
//   zcache_objects                      gauge    Σ object_count
//   zcache_cache_hit_ratio              gauge    hits / (hits + misses)
//   zcache_purges_total                 counter  purges logged (the purge log's last sequence number)
//   zcache_http_requests_total{route,code} counter  API requests answered by this process
// The cluster counters are sums of the workers' cumulative counters: they drop when a worker
// restarts, which Prometheus treats as a counter reset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "brain/api/request_counters.h"
#include "brain/store/metric_sample.h"
#include "brain/store/node.h"

namespace zcache::brain {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const std::vector<Node>& nodes, const std::vector<MetricSample>& latest,
                            std::int64_t purges_total, const RequestCounters& requests);

}  // namespace zcache::brain
