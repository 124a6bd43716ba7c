#include "replica/purge_sql.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <vector>

#include "replica/codec.h"

namespace zcache::replica {
namespace {

using Matches = absl::flat_hash_map<std::int64_t, RowRef>;

void collect(sqlite::Stmt& s, Matches& out) {
  while (s.step()) {
    const std::int64_t id = s.int64(0);
    out.try_emplace(id, RowRef{id, s.int64(1), std::string(s.blob(2)), s.int64(3), s.int64(4)});
  }
}

// Rows are collected first and changed afterwards: no table is modified while a scan of it runs.
Matches covered_rows(sqlite::Conn& db, const PurgeSelector& sel) {
  Matches m;
  for (const auto& key : sel.keys)
    if (auto row = find_row(db, key)) m.try_emplace(row->id, std::move(*row));
  if (sel.prefix) {
    if (auto end = prefix_successor(*sel.prefix)) {
      sqlite::Stmt s = db.stmt(
          "SELECT id, size, tags, fresh_until, stale_until FROM entries WHERE key >= ?1 AND key < ?2");
      s.bind_blob(1, *sel.prefix).bind_blob(2, *end);
      collect(s, m);
    } else {
      sqlite::Stmt s = db.stmt("SELECT id, size, tags, fresh_until, stale_until FROM entries WHERE key >= ?1");
      s.bind_blob(1, *sel.prefix);
      collect(s, m);
    }
  }
  for (const auto& tag : sel.tags) {
    sqlite::Stmt s = db.stmt(
        "SELECT e.id, e.size, e.tags, e.fresh_until, e.stale_until FROM tags t JOIN entries e ON e.id = t.entry "
        "WHERE t.tag = ?1");
    s.bind_blob(1, tag);
    collect(s, m);
  }
  return m;
}

}  // namespace

PurgeApplied apply_purge(sqlite::Conn& db, const PurgeSelector& sel, PurgeMode mode, std::int64_t at_ms,
                         std::int64_t cluster_sequence, std::int64_t origin, std::uint32_t log_limit, Totals& totals) {
  PurgeApplied out;
  for (auto& [id, row] : covered_rows(db, sel)) {
    ++out.result.objects_purged;
    if (mode == PurgeMode::Soft && at_ms < row.stale_until) {
      if (at_ms < row.fresh_until)
        db.stmt("UPDATE entries SET fresh_until = ?2 WHERE id = ?1").bind(1, id).bind(2, at_ms).run();
    } else {
      out.result.bytes_freed += static_cast<std::uint64_t>(row.size);
      delete_row(db, row, totals);
    }
  }
  const std::string selector = encode_selector(sel);
  sqlite::Stmt log = db.stmt(
      "INSERT INTO purge_log (cluster_sequence, origin, mode, selector, at_ms, objects_purged, bytes_freed) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (cluster_sequence > 0) log.bind(1, cluster_sequence); else log.bind_null(1);
  log.bind(2, origin).bind(3, mode == PurgeMode::Soft ? 1 : 0).bind_blob(4, selector).bind(5, at_ms);
  log.bind(6, static_cast<std::int64_t>(out.result.objects_purged));
  log.bind(7, static_cast<std::int64_t>(out.result.bytes_freed));
  log.run();
  out.log_id = db.last_insert_rowid();
  totals.last_purge_sequence = std::max(totals.last_purge_sequence, cluster_sequence);
  if (out.log_id > log_limit)
    db.stmt("DELETE FROM purge_log WHERE id <= ?1").bind(1, out.log_id - static_cast<std::int64_t>(log_limit)).run();
  return out;
}

}  // namespace zcache::replica
