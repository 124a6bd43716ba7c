#include "client/noop_results.h"

namespace zcache::client {

nlohmann::json noop_status() {
  return {{"brain_healthy", false}, {"total_nodes", 0},      {"online_nodes", 0},
          {"total_cache_bytes", 0}, {"used_cache_bytes", 0}, {"hit_ratio", 0.0}};
}

nlohmann::json noop_metrics() {
  return {{"total_hits", 0},       {"total_misses", 0},    {"hit_ratio", 0.0},      {"bytes_served", 0},
          {"bytes_stored", 0},     {"bytes_capacity", 0},  {"object_count", 0},     {"evictions", 0},
          {"active_nodes", 0},     {"avg_latency_ms", 0.0}, {"p95_latency_ms", 0.0}, {"p99_latency_ms", 0.0},
          {"collected_at", nullptr}};
}

nlohmann::json noop_purge() { return {{"objects_purged", 0}, {"bytes_freed", 0}, {"nodes_affected", 0}}; }

nlohmann::json noop_health() { return {{"status", "disabled"}}; }

}  // namespace zcache::client
