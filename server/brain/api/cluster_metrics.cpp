#include "brain/api/cluster_metrics.h"

#include <cmath>
#include <limits>

#include "brain/store/time_format.h"

namespace zcache::brain {
namespace {

std::uint64_t add_saturating(std::uint64_t a, std::uint64_t b) noexcept {
  return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

std::int64_t add_saturating(std::int64_t a, std::int64_t b) noexcept {
  if (b > 0 && a > std::numeric_limits<std::int64_t>::max() - b) return std::numeric_limits<std::int64_t>::max();
  return a + b;
}

// µs → ms, rounded to whole µs so the JSON does not carry float noise.
double us_to_ms(double us) noexcept { return std::round(us) / 1000.0; }

void add_latency_fields(nlohmann::json& out, const LatencyHistogram& h) {
  out["avg_latency_ms"] = us_to_ms(h.mean_us());
  out["p95_latency_ms"] = us_to_ms(h.percentile_us(95));
  out["p99_latency_ms"] = us_to_ms(h.percentile_us(99));
}

}  // namespace

double hit_ratio(std::uint64_t hits, std::uint64_t misses) noexcept {
  const double total = static_cast<double>(hits) + static_cast<double>(misses);
  return total == 0 ? 0.0 : static_cast<double>(hits) / total;
}

SampleTotals sum_samples(const std::vector<MetricSample>& samples) {
  SampleTotals t;
  for (const MetricSample& s : samples) {
    MetricCounters& c = t.counters;
    c.hits = add_saturating(c.hits, s.counters.hits);
    c.misses = add_saturating(c.misses, s.counters.misses);
    c.bytes_served = add_saturating(c.bytes_served, s.counters.bytes_served);
    c.bytes_stored = add_saturating(c.bytes_stored, s.counters.bytes_stored);
    c.object_count = add_saturating(c.object_count, s.counters.object_count);
    c.evictions = add_saturating(c.evictions, s.counters.evictions);
    c.capacity_bytes = add_saturating(c.capacity_bytes, s.counters.capacity_bytes);
    t.latency.merge(s.latency);
    if (s.collected_at_ms > t.newest_ms) t.newest_ms = s.collected_at_ms;
    ++t.samples;
  }
  return t;
}

nlohmann::json status_json(const std::vector<Node>& nodes, const std::vector<MetricSample>& latest) {
  std::int64_t online = 0, capacity = 0, used = 0;
  for (const Node& n : nodes) {
    if (n.status == NodeStatus::Online) ++online;
    capacity = add_saturating(capacity, n.capacity_bytes);
    used = add_saturating(used, n.used_bytes);
  }
  const SampleTotals t = sum_samples(latest);
  return {{"brain_healthy", true},
          {"total_nodes", nodes.size()},
          {"online_nodes", online},
          {"total_cache_bytes", capacity},
          {"used_cache_bytes", used},
          {"hit_ratio", hit_ratio(t.counters.hits, t.counters.misses)}};
}

nlohmann::json cluster_metrics_json(const std::vector<Node>& nodes, const std::vector<MetricSample>& latest,
                                    std::int64_t now_ms) {
  std::int64_t online = 0;
  for (const Node& n : nodes)
    if (n.status == NodeStatus::Online) ++online;
  const SampleTotals t = sum_samples(latest);
  nlohmann::json out = {{"total_hits", t.counters.hits},
                        {"total_misses", t.counters.misses},
                        {"hit_ratio", hit_ratio(t.counters.hits, t.counters.misses)},
                        {"bytes_served", t.counters.bytes_served},
                        {"bytes_stored", t.counters.bytes_stored},
                        {"bytes_capacity", t.counters.capacity_bytes},
                        {"object_count", t.counters.object_count},
                        {"evictions", t.counters.evictions},
                        {"active_nodes", online},
                        {"collected_at", format_rfc3339(t.samples ? t.newest_ms : now_ms)}};
  add_latency_fields(out, t.latency);
  return out;
}

nlohmann::json node_metrics_json(const Node& node, const std::optional<MetricSample>& latest) {
  const MetricCounters c = latest ? latest->counters : MetricCounters{};
  nlohmann::json out = {{"node_id", node.node_id},
                        {"hits", c.hits},
                        {"misses", c.misses},
                        {"hit_ratio", hit_ratio(c.hits, c.misses)},
                        {"bytes_served", c.bytes_served},
                        {"bytes_stored", c.bytes_stored},
                        {"capacity_bytes", latest ? static_cast<std::int64_t>(c.capacity_bytes) : node.capacity_bytes},
                        {"object_count", c.object_count},
                        {"evictions", c.evictions},
                        {"collected_at", latest ? nlohmann::json(format_rfc3339(latest->collected_at_ms)) : nlohmann::json()}};
  add_latency_fields(out, latest ? latest->latency : LatencyHistogram{});
  return out;
}

}  // namespace zcache::brain
