#include "replica/eviction.h"

#include <vector>

namespace zcache::replica {
namespace {

// The rows `sql` (SELECT id, size, tags ..., bound by `bind`) names.
template <class Bind>
std::vector<RowRef> victims_of(sqlite::Conn& db, const char* sql, Bind bind) {
  std::vector<RowRef> victims;
  sqlite::Stmt s = db.stmt(sql);
  bind(s);
  while (s.step()) victims.push_back(RowRef{s.int64(0), s.int64(1), std::string(s.blob(2)), 0, 0});
  return victims;
}

// Deletes victims from `sql` (bound by `bind`) until the budget holds or none are left; returns
// how many went.
template <class Bind>
std::uint64_t evict_from(sqlite::Conn& db, const char* sql, Bind bind, std::uint64_t max_bytes, Totals& t) {
  std::uint64_t n = 0;
  while (t.bytes > static_cast<std::int64_t>(max_bytes)) {
    const std::vector<RowRef> victims = victims_of(db, sql, bind);
    if (victims.empty()) break;
    for (const RowRef& v : victims) {
      if (t.bytes <= static_cast<std::int64_t>(max_bytes)) break;
      delete_row(db, v, t);
      ++n;
    }
  }
  return n;
}

}  // namespace

void enforce_budget(sqlite::Conn& db, std::uint64_t max_bytes, std::int64_t now_ms, Totals& t, Counters& counters) {
  if (t.bytes <= static_cast<std::int64_t>(max_bytes)) return;
  const std::uint64_t expired = evict_from(
      db, "SELECT id, size, tags FROM entries WHERE reclaim_at <= ?1 ORDER BY reclaim_at LIMIT 256",
      [&](sqlite::Stmt& s) { s.bind(1, now_ms); }, max_bytes, t);
  const std::uint64_t evicted = evict_from(
      db, "SELECT id, size, tags FROM entries ORDER BY last_access LIMIT 256", [](sqlite::Stmt&) {}, max_bytes, t);
  Counters::add(counters.expirations, expired);
  Counters::add(counters.evictions, evicted);
}

std::uint64_t reclaim_expired(sqlite::Conn& db, std::int64_t now_ms, std::uint64_t limit, Totals& t,
                              Counters& counters) {
  const std::vector<RowRef> victims =
      victims_of(db, "SELECT id, size, tags FROM entries WHERE reclaim_at <= ?1 ORDER BY reclaim_at LIMIT ?2",
                 [&](sqlite::Stmt& s) { s.bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit)); });
  for (const RowRef& v : victims) delete_row(db, v, t);
  Counters::add(counters.expirations, victims.size());
  return victims.size();
}

bool has_expired(sqlite::Conn& db, std::int64_t now_ms) {
  sqlite::Stmt s = db.stmt("SELECT 1 FROM entries WHERE reclaim_at <= ?1 LIMIT 1");
  s.bind(1, now_ms);
  return s.step();
}

}  // namespace zcache::replica
