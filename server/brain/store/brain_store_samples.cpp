// BrainStore: metric samples from the poller, with bounded retention.
#include <limits>

#include <nlohmann/json.hpp>

#include "brain/store/brain_store.h"
#include "util/sqlite_conn.h"

namespace zcache::brain {
namespace {

#define SAMPLE_COLUMNS                                                                                     \
  "n.node_id, s.collected_at_ms, s.hits, s.misses, s.bytes_served, s.bytes_stored, s.object_count, " \
  "s.evictions, s.capacity_bytes, s.latency"

// SQLite integers are signed: clamp what the worker reported rather than wrap it negative.
std::int64_t clamp_to_int64(std::uint64_t v) {
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(v > kMax ? kMax : v);
}
std::uint64_t as_count(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }

MetricSample read_sample(const sqlite::Stmt& q, const std::string& path) {
  MetricSample s;
  s.node_id = q.text(0);
  s.collected_at_ms = q.int64(1);
  s.counters.hits = as_count(q.int64(2));
  s.counters.misses = as_count(q.int64(3));
  s.counters.bytes_served = as_count(q.int64(4));
  s.counters.bytes_stored = as_count(q.int64(5));
  s.counters.object_count = as_count(q.int64(6));
  s.counters.evictions = as_count(q.int64(7));
  s.counters.capacity_bytes = as_count(q.int64(8));
  const auto json = nlohmann::json::parse(q.text(9), nullptr, /*allow_exceptions=*/false);
  std::string error;
  auto latency = histogram_from_json(json, &error);
  if (!latency) {
    throw StoreError(StoreError::Kind::Corrupt, path,
                     "brain store '" + path + "': a stored latency histogram of node " + s.node_id +
                         " cannot be decoded (" + error + ")");
  }
  s.latency = std::move(*latency);
  return s;
}

}  // namespace

bool BrainStore::record_sample(std::string_view node_id, std::int64_t now_ms, const MetricCounters& counters,
                               const LatencyHistogram& latency) {
  const std::string latency_json = histogram_to_json(latency).dump();
  std::lock_guard lock(mutex_);
  sqlite::WriteTx tx(*db_);
  std::int64_t node_ref = 0;
  {
    sqlite::Stmt q = db_->stmt("SELECT id FROM nodes WHERE node_id = ?1");
    q.bind_text(1, node_id);
    if (!q.step()) return false;  // tx rolls back (nothing written)
    node_ref = q.int64(0);
  }
  db_->stmt(
         "INSERT INTO metric_samples (node_ref, collected_at_ms, hits, misses, bytes_served, bytes_stored, "
         "object_count, evictions, capacity_bytes, latency) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
      .bind(1, node_ref)
      .bind(2, now_ms)
      .bind(3, clamp_to_int64(counters.hits))
      .bind(4, clamp_to_int64(counters.misses))
      .bind(5, clamp_to_int64(counters.bytes_served))
      .bind(6, clamp_to_int64(counters.bytes_stored))
      .bind(7, clamp_to_int64(counters.object_count))
      .bind(8, clamp_to_int64(counters.evictions))
      .bind(9, clamp_to_int64(counters.capacity_bytes))
      .bind_text(10, latency_json)
      .run();

  // Retention, pruned on insert so the table never grows past its bounds: this node's newest N ...
  db_->stmt(
         "DELETE FROM metric_samples WHERE node_ref = ?1 AND id <= "
         "(SELECT id FROM metric_samples WHERE node_ref = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)")
      .bind(1, node_ref)
      .bind(2, static_cast<std::int64_t>(options_.max_samples_per_node))
      .run();
  // ... and nobody's older than the age limit.
  if (options_.max_sample_age_ms > 0) {
    db_->stmt("DELETE FROM metric_samples WHERE collected_at_ms < ?1")
        .bind(1, now_ms - options_.max_sample_age_ms)
        .run();
  }
  tx.commit();
  return true;
}

std::vector<MetricSample> BrainStore::latest_samples() {
  std::lock_guard lock(mutex_);
  std::vector<MetricSample> out;
  sqlite::Stmt q = db_->stmt("SELECT " SAMPLE_COLUMNS
                             " FROM nodes n JOIN metric_samples s"
                             " ON s.id = (SELECT max(id) FROM metric_samples WHERE node_ref = n.id)"
                             " ORDER BY n.id");
  while (q.step()) out.push_back(read_sample(q, path_));
  return out;
}

std::optional<MetricSample> BrainStore::latest_sample(std::string_view node_id) {
  auto list = samples(node_id, 1);
  if (list.empty()) return std::nullopt;
  return std::move(list.front());
}

std::vector<MetricSample> BrainStore::samples(std::string_view node_id, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<MetricSample> out;
  sqlite::Stmt q = db_->stmt("SELECT " SAMPLE_COLUMNS
                             " FROM nodes n JOIN metric_samples s ON s.node_ref = n.id"
                             " WHERE n.node_id = ?1 ORDER BY s.id DESC LIMIT ?2");
  q.bind_text(1, node_id).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1u << 30)));
  while (q.step()) out.push_back(read_sample(q, path_));
  return out;
}

}  // namespace zcache::brain
