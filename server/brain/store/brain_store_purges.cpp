// BrainStore: the purge log — a strictly increasing sequence number per purge, bounded retention.
#include <nlohmann/json.hpp>

#include "brain/store/brain_store.h"
#include "util/sqlite_conn.h"

namespace zcache::brain {

namespace {
constexpr std::size_t kMaxPurgesPerRead = 10000;
}

std::int64_t BrainStore::insert_purge(const nlohmann::json& selector, const PurgeCounts& counts, bool completed,
                                      std::int64_t now_ms) {
  const std::string selector_text = selector.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  sqlite::WriteTx tx(*db_);
  db_->stmt(
         "INSERT INTO purge_log (created_at_ms, selector, objects_purged, bytes_freed, nodes_affected, completed) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, now_ms)
      .bind_text(2, selector_text)
      .bind(3, counts.objects_purged)
      .bind(4, counts.bytes_freed)
      .bind(5, counts.nodes_affected)
      .bind(6, std::int64_t{completed ? 1 : 0})
      .run();
  const std::int64_t seq = db_->last_insert_rowid();
  // AUTOINCREMENT never hands out a number twice, so deleting the oldest keeps seq monotonic.
  db_->stmt("DELETE FROM purge_log WHERE seq <= ?1")
      .bind(1, seq - static_cast<std::int64_t>(options_.max_purges))
      .run();
  tx.commit();
  return seq;
}

std::int64_t BrainStore::append_purge(const nlohmann::json& selector, const PurgeCounts& counts, std::int64_t now_ms) {
  return insert_purge(selector, counts, /*completed=*/true, now_ms);
}

std::int64_t BrainStore::begin_purge(const nlohmann::json& selector, std::int64_t now_ms) {
  return insert_purge(selector, PurgeCounts{}, /*completed=*/false, now_ms);
}

bool BrainStore::complete_purge(std::int64_t seq, const PurgeCounts& counts) {
  std::lock_guard lock(mutex_);
  db_->stmt(
         "UPDATE purge_log SET objects_purged = ?2, bytes_freed = ?3, nodes_affected = ?4, completed = 1 "
         "WHERE seq = ?1")
      .bind(1, seq)
      .bind(2, counts.objects_purged)
      .bind(3, counts.bytes_freed)
      .bind(4, counts.nodes_affected)
      .run();
  return db_->changes() > 0;
}

std::vector<PurgeRecord> BrainStore::purges_since(std::int64_t after_seq, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<PurgeRecord> out;
  sqlite::Stmt q = db_->stmt(
      "SELECT seq, created_at_ms, selector, objects_purged, bytes_freed, nodes_affected, completed "
      "FROM purge_log WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  q.bind(1, after_seq).bind(2, static_cast<std::int64_t>(std::min(limit, kMaxPurgesPerRead)));
  while (q.step()) {
    PurgeRecord r;
    r.seq = q.int64(0);
    r.created_at_ms = q.int64(1);
    r.selector = nlohmann::json::parse(q.text(2), nullptr, /*allow_exceptions=*/false);
    if (r.selector.is_discarded()) {
      throw StoreError(StoreError::Kind::Corrupt, path_,
                       "brain store '" + path_ + "': purge " + std::to_string(r.seq) + " has an unreadable selector");
    }
    r.counts = PurgeCounts{q.int64(3), q.int64(4), q.int64(5)};
    r.completed = q.int64(6) != 0;
    out.push_back(std::move(r));
  }
  return out;
}

PurgeLogBounds BrainStore::purge_log_bounds() {
  std::lock_guard lock(mutex_);
  PurgeLogBounds b;
  b.oldest = db_->scalar("SELECT coalesce(min(seq), 0) FROM purge_log");
  // sqlite_sequence holds the last number handed out, even when its row was pruned.
  b.newest = db_->scalar("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'purge_log'");
  return b;
}

}  // namespace zcache::brain
