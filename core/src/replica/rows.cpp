#include "replica/rows.h"

#include <algorithm>
#include <vector>

#include "replica/codec.h"

namespace zcache {

std::uint64_t replica_charge(const ReplicaEntry& e) noexcept {
  std::uint64_t n = kReplicaRowOverhead + e.key.size() + e.value.size();
  for (const auto& t : e.tags) n += kReplicaTagOverhead + t.size();
  return n;
}

}  // namespace zcache

namespace zcache::replica {
namespace {

void delete_tags(sqlite::Conn& db, std::int64_t id, std::string_view encoded) {
  if (encoded.empty()) return;
  std::vector<std::string> tags;
  if (!decode_tags(encoded, tags)) db.damaged("an entry's tag list is malformed");
  for (const auto& tag : tags) db.stmt("DELETE FROM tags WHERE tag = ?1 AND entry = ?2").bind_blob(1, tag).bind(2, id).run();
}

void insert_tags(sqlite::Conn& db, std::int64_t id, const std::vector<std::string>& tags) {
  for (const auto& tag : tags)
    db.stmt("INSERT OR IGNORE INTO tags (tag, entry) VALUES (?1, ?2)").bind_blob(1, tag).bind(2, id).run();
}

}  // namespace

Totals read_totals(sqlite::Conn& db) {
  sqlite::Stmt s = db.stmt("SELECT total_bytes, entry_count, last_purge_sequence FROM meta WHERE id = 1");
  if (!s.step()) db.damaged("the meta row is missing");
  return Totals{s.int64(0), s.int64(1), s.int64(2)};
}

void write_totals(sqlite::Conn& db, const Totals& t) {
  db.stmt("UPDATE meta SET total_bytes = ?1, entry_count = ?2, last_purge_sequence = ?3 WHERE id = 1")
      .bind(1, t.bytes)
      .bind(2, t.entries)
      .bind(3, t.last_purge_sequence)
      .run();
}

std::optional<RowRef> find_row(sqlite::Conn& db, std::string_view key) {
  sqlite::Stmt s = db.stmt("SELECT id, size, tags, fresh_until, stale_until FROM entries WHERE key = ?1");
  s.bind_blob(1, key);
  if (!s.step()) return std::nullopt;
  return RowRef{s.int64(0), s.int64(1), std::string(s.blob(2)), s.int64(3), s.int64(4)};
}

void upsert_row(sqlite::Conn& db, const ReplicaEntry& e, std::int64_t now_ms, Totals& t) {
  const std::int64_t size = static_cast<std::int64_t>(replica_charge(e));
  const std::int64_t reclaim_at = std::max(e.stale_until, e.error_until);
  const std::string tags = encode_tags(e.tags);
  std::int64_t id;
  if (auto old = find_row(db, e.key)) {
    delete_tags(db, old->id, old->tags);
    sqlite::Stmt s = db.stmt(
        "UPDATE entries SET fresh_until = ?2, stale_until = ?3, error_until = ?4, reclaim_at = ?5, "
        "last_access = ?6, size = ?7, encoding = ?8, tags = ?9, value = ?10 WHERE id = ?1");
    s.bind(1, old->id);
    s.bind(2, e.fresh_until).bind(3, e.stale_until).bind(4, e.error_until).bind(5, reclaim_at);
    s.bind(6, now_ms).bind(7, size).bind(8, e.encoding);
    if (tags.empty()) s.bind_null(9); else s.bind_blob(9, tags);
    s.bind_blob(10, e.value);
    s.run();
    id = old->id;
    t.bytes += size - old->size;
  } else {
    sqlite::Stmt s = db.stmt(
        "INSERT INTO entries (key, fresh_until, stale_until, error_until, reclaim_at, last_access, size, "
        "encoding, tags, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    s.bind_blob(1, e.key);
    s.bind(2, e.fresh_until).bind(3, e.stale_until).bind(4, e.error_until).bind(5, reclaim_at);
    s.bind(6, now_ms).bind(7, size).bind(8, e.encoding);
    if (tags.empty()) s.bind_null(9); else s.bind_blob(9, tags);
    s.bind_blob(10, e.value);
    s.run();
    id = db.last_insert_rowid();
    t.bytes += size;
    t.entries += 1;
  }
  insert_tags(db, id, e.tags);
}

void delete_row(sqlite::Conn& db, const RowRef& row, Totals& t) {
  delete_tags(db, row.id, row.tags);
  db.stmt("DELETE FROM entries WHERE id = ?1").bind(1, row.id).run();
  t.bytes -= row.size;
  t.entries -= 1;
}

}  // namespace zcache::replica
