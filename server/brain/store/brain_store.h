// brain/store/brain_store.h — the brain's durable state in one SQLite file: the node registry,
// metric samples from the poller, and the purge log.
//
// Threading: every public method takes one internal mutex, so a BrainStore may be shared by the
// brain's event-loop thread and the poller thread. Calls are short (indexed statements, WAL); a
// call from the event loop blocks it only for that long — or up to busy_timeout_ms if another
// process holds the write lock on the same file.
//
// Time: every `now_ms` is Unix milliseconds supplied by the caller (tests drive it; the store never
// reads a clock).
//
// Errors: SQLite failures throw StoreError (its message names the file). Unknown node ids are not
// errors: lookups return std::nullopt and updates return false.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "brain/store/latency_histogram.h"
#include "brain/store/metric_sample.h"
#include "brain/store/node.h"
#include "brain/store/node_registration.h"
#include "brain/store/purge_record.h"
#include "brain/store/store_error.h"

namespace zcache::sqlite {
class Conn;
}

namespace zcache::brain {

struct BrainStoreOptions {
  int busy_timeout_ms = 5000;
  // Metric samples: at most this many per node (newest kept) ...
  std::size_t max_samples_per_node = 2880;  // 24 h at the default 30 s interval
  // ... and none older than this, relative to the newest record_sample() `now` (0: no age limit).
  std::int64_t max_sample_age_ms = 24LL * 60 * 60 * 1000;
  // Purge log: at most this many entries (newest kept). Must be >= 1.
  std::size_t max_purges = 10000;
};

struct RegisterResult {
  Node node;
  bool created = false;  // false when the endpoint was already registered (same node_id)
};

class BrainStore {
 public:
  // Opens or creates `path` (":memory:" for a private in-memory store). Throws StoreError when the
  // file cannot be opened, is not SQLite, belongs to another application, or has a newer schema.
  explicit BrainStore(const std::string& path, BrainStoreOptions options = {});
  ~BrainStore();
  BrainStore(const BrainStore&) = delete;
  BrainStore& operator=(const BrainStore&) = delete;

  const std::string& path() const noexcept { return path_; }

  // ---- Node registry ----

  // Registers a node, or re-registers it when a node with the same (canonical) endpoint exists:
  // then the node_id and registered_at stay, region and capacity are updated, status becomes
  // online and last_seen_at = now. Throws std::invalid_argument if a field fails the checks of
  // node_registration.h (the HTTP layer has already run parse_registration, so this is a bug guard).
  RegisterResult register_node(const NodeRegistration& registration, std::int64_t now_ms);
  RegisterResult register_node(std::string_view endpoint, std::string_view region, std::int64_t capacity_bytes,
                               std::int64_t now_ms);

  std::optional<Node> get_node(std::string_view node_id);
  std::optional<Node> find_node_by_endpoint(std::string_view endpoint);  // canonicalizes first
  std::vector<Node> list_nodes();  // in registration order
  // Removes the node and its metric samples. False when there was no such node.
  bool deregister_node(std::string_view node_id);
  bool set_status(std::string_view node_id, NodeStatus status);
  // A heartbeat or poll result: last_seen_at = now, used_bytes, object_count (negative → 0). Does
  // not change status (the health prober owns it, and a draining node stays draining).
  bool touch(std::string_view node_id, std::int64_t now_ms, std::int64_t used_bytes, std::int64_t object_count);

  // ---- Metric samples ----

  // Stores one poll result and prunes by options (count per node, age). False for an unknown node.
  bool record_sample(std::string_view node_id, std::int64_t now_ms, const MetricCounters& counters,
                     const LatencyHistogram& latency);
  // The newest sample of every node that has one, in registration order.
  std::vector<MetricSample> latest_samples();
  std::optional<MetricSample> latest_sample(std::string_view node_id);
  // Up to `limit` samples of one node, newest first.
  std::vector<MetricSample> samples(std::string_view node_id, std::size_t limit);

  // ---- Purge log ----

  // Logs a finished purge; returns its sequence number (strictly greater than any before it).
  std::int64_t append_purge(const nlohmann::json& selector, const PurgeCounts& counts, std::int64_t now_ms);
  // Two-phase form, so the sequence number can travel with the fan-out: begin_purge() logs the
  // selector (completed = false) and returns the sequence number; complete_purge() records the
  // counts. complete_purge() is false when `seq` is not (or no longer) in the log.
  std::int64_t begin_purge(const nlohmann::json& selector, std::int64_t now_ms);
  bool complete_purge(std::int64_t seq, const PurgeCounts& counts);
  // Entries with seq > after_seq, oldest first, at most `limit` (capped at 10000).
  std::vector<PurgeRecord> purges_since(std::int64_t after_seq, std::size_t limit);
  // If purge_log_bounds().oldest > after_seq + 1, entries a client needed were pruned: it must reset.
  PurgeLogBounds purge_log_bounds();

 private:
  std::int64_t insert_purge(const nlohmann::json& selector, const PurgeCounts& counts, bool completed,
                            std::int64_t now_ms);
  std::optional<Node> load_node(const char* sql, std::string_view key);
  std::optional<MetricSample> load_latest_sample(std::string_view node_id);

  std::string path_;
  BrainStoreOptions options_;
  std::mutex mutex_;
  std::unique_ptr<sqlite::Conn> db_;
};

}  // namespace zcache::brain
