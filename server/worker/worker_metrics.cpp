#include "worker/worker_metrics.h"

namespace zcache::worker {

nlohmann::json WorkerMetrics::to_json(const Stats& engine, const ReplicaStats* disk) const {
  auto load = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  nlohmann::json j = {{"hits", load(hits) + load(stale_hits)},
          {"stale_hits", load(stale_hits)},
          {"misses", load(misses)},
          {"bytes_served", load(bytes_served)},
          {"bytes_stored", engine.bytes},
          {"capacity_bytes", engine.max_bytes},
          {"object_count", engine.entries},
          {"evictions", engine.evictions},
          {"latency", brain::histogram_to_json(latency)}};
  if (disk) {
    j["disk_hits"] = engine.replica_hits;
    j["disk"] = {{"bytes_stored", disk->bytes},       {"capacity_bytes", disk->max_bytes},
                 {"object_count", disk->entries},     {"evictions", disk->evictions},
                 {"reads", disk->reads},              {"read_hits", disk->read_hits},
                 {"write_errors", disk->write_errors}, {"dropped", disk->dropped},
                 {"last_purge_sequence", disk->last_purge_sequence}};
  }
  return j;
}

}  // namespace zcache::worker
