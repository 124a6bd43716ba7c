#include "brain/api/prometheus_text.h"

#include <cstdio>

#include "brain/api/cluster_metrics.h"

namespace zcache::brain {
namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const char* name, std::uint64_t value, const std::string& labels = {}) {
  out += name;
  out += labels;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

// A label value with \, " and newline escaped, as the format requires.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string prometheus_text(const std::vector<Node>& nodes, const std::vector<MetricSample>& latest,
                            std::int64_t purges_total, const RequestCounters& requests) {
  std::string out;
  out.reserve(2048);

  std::uint64_t by_status[3] = {0, 0, 0};
  for (const Node& n : nodes) ++by_status[static_cast<int>(n.status)];
  family(out, "zcache_nodes", "gauge", "Registered cache nodes by status.");
  for (NodeStatus s : {NodeStatus::Online, NodeStatus::Offline, NodeStatus::Draining})
    sample(out, "zcache_nodes", by_status[static_cast<int>(s)], "{status=\"" + std::string(to_string(s)) + "\"}");

  const SampleTotals t = sum_samples(latest);
  family(out, "zcache_cache_hits_total", "counter", "Cache hits reported by the nodes (stale hits included).");
  sample(out, "zcache_cache_hits_total", t.counters.hits);
  family(out, "zcache_cache_misses_total", "counter", "Cache misses reported by the nodes.");
  sample(out, "zcache_cache_misses_total", t.counters.misses);
  family(out, "zcache_bytes_served_total", "counter", "Body bytes served by the nodes for cache hits.");
  sample(out, "zcache_bytes_served_total", t.counters.bytes_served);
  family(out, "zcache_evictions_total", "counter", "Objects evicted by the nodes for space.");
  sample(out, "zcache_evictions_total", t.counters.evictions);
  family(out, "zcache_bytes_stored", "gauge", "Bytes held by the nodes.");
  sample(out, "zcache_bytes_stored", t.counters.bytes_stored);
  family(out, "zcache_capacity_bytes", "gauge", "Byte budget of the nodes.");
  sample(out, "zcache_capacity_bytes", t.counters.capacity_bytes);
  family(out, "zcache_objects", "gauge", "Objects held by the nodes.");
  sample(out, "zcache_objects", t.counters.object_count);

  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.6g", hit_ratio(t.counters.hits, t.counters.misses));
  family(out, "zcache_cache_hit_ratio", "gauge", "Cache hits / (hits + misses) over the nodes' counters.");
  out += "zcache_cache_hit_ratio ";
  out += ratio;
  out += '\n';

  family(out, "zcache_purges_total", "counter", "Purge requests logged by the brain.");
  sample(out, "zcache_purges_total", static_cast<std::uint64_t>(purges_total < 0 ? 0 : purges_total));

  family(out, "zcache_http_requests_total", "counter", "Brain API requests answered, by route and status.");
  for (const auto& [key, count] : requests.counts())
    sample(out, "zcache_http_requests_total", count,
           "{route=\"" + label_value(key.first) + "\",code=\"" + std::to_string(key.second) + "\"}");
  return out;
}

}  // namespace zcache::brain
