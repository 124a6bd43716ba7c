#include "worker/worker_metrics.h"

namespace zcache::worker {

nlohmann::json WorkerMetrics::to_json(const Stats& engine) const {
  auto load = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  return {{"hits", load(hits) + load(stale_hits)},
          {"stale_hits", load(stale_hits)},
          {"misses", load(misses)},
          {"bytes_served", load(bytes_served)},
          {"bytes_stored", engine.bytes},
          {"capacity_bytes", engine.max_bytes},
          {"object_count", engine.entries},
          {"evictions", engine.evictions},
          {"latency", brain::histogram_to_json(latency)}};
}

}  // namespace zcache::worker
