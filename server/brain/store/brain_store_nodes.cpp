// BrainStore: the node registry.
#include <stdexcept>

#include "brain/store/brain_store.h"
#include "brain/store/node_id.h"
#include "util/sqlite_conn.h"

namespace zcache::brain {
namespace {

#define NODE_COLUMNS \
  "node_id, endpoint, region, capacity_bytes, used_bytes, object_count, status, registered_at_ms, last_seen_at_ms"

Node read_node(const sqlite::Stmt& q, const sqlite::Conn& db) {
  Node n;
  n.node_id = q.text(0);
  n.endpoint = q.text(1);
  n.region = q.text(2);
  n.capacity_bytes = q.int64(3);
  n.used_bytes = q.int64(4);
  n.object_count = q.int64(5);
  const std::string status = q.text(6);
  const auto parsed = parse_node_status(status);
  if (!parsed) {  // the CHECK constraint makes this unreachable unless the file was edited by hand
    throw StoreError(StoreError::Kind::Corrupt, db.path(),
                     "brain store '" + db.path() + "': node " + n.node_id + " has unknown status '" + status + "'");
  }
  n.status = *parsed;
  n.registered_at_ms = q.int64(7);
  n.last_seen_at_ms = q.int64(8);
  return n;
}

std::int64_t non_negative(std::int64_t v) { return v < 0 ? 0 : v; }

}  // namespace

RegisterResult BrainStore::register_node(std::string_view endpoint, std::string_view region,
                                         std::int64_t capacity_bytes, std::int64_t now_ms) {
  return register_node(NodeRegistration{std::string(endpoint), std::string(region), capacity_bytes}, now_ms);
}

RegisterResult BrainStore::register_node(const NodeRegistration& registration, std::int64_t now_ms) {
  // Same checks as the HTTP body, so the table never holds a value the API would refuse.
  auto endpoint = canonical_endpoint(registration.endpoint);
  if (!endpoint.ok()) throw std::invalid_argument("register_node: " + endpoint.error.describe());
  auto region = checked_region(registration.region);
  if (!region.ok()) throw std::invalid_argument("register_node: " + region.error.describe());
  if (registration.capacity_bytes <= 0) throw std::invalid_argument("register_node: capacity_bytes must be positive");

  std::lock_guard lock(mutex_);
  sqlite::WriteTx tx(*db_);
  std::string fresh_id;
  do {  // 64 random bits: a clash is astronomically unlikely, but cheap to rule out
    fresh_id = new_node_id();
  } while (db_->stmt("SELECT 1 FROM nodes WHERE node_id = ?1").bind_text(1, fresh_id).step());

  // One statement decides create-or-update, keyed on the canonical endpoint (workers restart and
  // re-register; they must get their node_id back).
  db_->stmt(
         "INSERT INTO nodes (node_id, endpoint, region, capacity_bytes, status, registered_at_ms, last_seen_at_ms) "
         "VALUES (?1, ?2, ?3, ?4, 'online', ?5, ?5) "
         "ON CONFLICT (endpoint) DO UPDATE SET region = excluded.region, capacity_bytes = excluded.capacity_bytes, "
         "status = 'online', last_seen_at_ms = excluded.last_seen_at_ms")
      .bind_text(1, fresh_id)
      .bind_text(2, *endpoint.value)
      .bind_text(3, *region.value)
      .bind(4, registration.capacity_bytes)
      .bind(5, now_ms)
      .run();

  sqlite::Stmt q = db_->stmt("SELECT " NODE_COLUMNS " FROM nodes WHERE endpoint = ?1");
  q.bind_text(1, *endpoint.value);
  if (!q.step()) throw StoreError(StoreError::Kind::Corrupt, path_, "brain store '" + path_ + "': registered node vanished");
  RegisterResult result{read_node(q, *db_), false};
  result.created = result.node.node_id == fresh_id;
  tx.commit();
  return result;
}

std::optional<Node> BrainStore::load_node(const char* sql, std::string_view key) {
  sqlite::Stmt q = db_->stmt(sql);
  q.bind_text(1, key);
  if (!q.step()) return std::nullopt;
  return read_node(q, *db_);
}

std::optional<Node> BrainStore::get_node(std::string_view node_id) {
  std::lock_guard lock(mutex_);
  return load_node("SELECT " NODE_COLUMNS " FROM nodes WHERE node_id = ?1", node_id);
}

std::optional<Node> BrainStore::find_node_by_endpoint(std::string_view endpoint) {
  auto canonical = canonical_endpoint(endpoint);
  if (!canonical.ok()) return std::nullopt;
  std::lock_guard lock(mutex_);
  return load_node("SELECT " NODE_COLUMNS " FROM nodes WHERE endpoint = ?1", *canonical.value);
}

std::vector<Node> BrainStore::list_nodes() {
  std::lock_guard lock(mutex_);
  std::vector<Node> nodes;
  sqlite::Stmt q = db_->stmt("SELECT " NODE_COLUMNS " FROM nodes ORDER BY id");
  while (q.step()) nodes.push_back(read_node(q, *db_));
  return nodes;
}

bool BrainStore::deregister_node(std::string_view node_id) {
  std::lock_guard lock(mutex_);
  db_->stmt("DELETE FROM nodes WHERE node_id = ?1").bind_text(1, node_id).run();  // samples cascade
  return db_->changes() > 0;
}

bool BrainStore::set_status(std::string_view node_id, NodeStatus status) {
  std::lock_guard lock(mutex_);
  db_->stmt("UPDATE nodes SET status = ?2 WHERE node_id = ?1")
      .bind_text(1, node_id)
      .bind_text(2, to_string(status))
      .run();
  return db_->changes() > 0;
}

bool BrainStore::touch(std::string_view node_id, std::int64_t now_ms, std::int64_t used_bytes,
                       std::int64_t object_count) {
  std::lock_guard lock(mutex_);
  db_->stmt("UPDATE nodes SET last_seen_at_ms = ?2, used_bytes = ?3, object_count = ?4 WHERE node_id = ?1")
      .bind_text(1, node_id)
      .bind(2, now_ms)
      .bind(3, non_negative(used_bytes))
      .bind(4, non_negative(object_count))
      .run();
  return db_->changes() > 0;
}

}  // namespace zcache::brain
