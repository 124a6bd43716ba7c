// brain/store/node.h — a registered worker node, as stored and as the API shows it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace zcache::brain {

enum class NodeStatus { Online, Offline, Draining };

// "online" / "offline" / "draining".
std::string_view to_string(NodeStatus status) noexcept;
// The inverse; nullopt for anything else (case-sensitive, as the API spells them).
std::optional<NodeStatus> parse_node_status(std::string_view text) noexcept;

struct Node {
  std::string node_id;       // "node_" + 16 lower-case hex digits; stable across re-registration
  std::string endpoint;      // canonical form (see canonical_endpoint in node_registration.h)
  std::string region;
  std::int64_t capacity_bytes = 0;
  std::int64_t used_bytes = 0;
  std::int64_t object_count = 0;
  NodeStatus status = NodeStatus::Online;
  std::int64_t registered_at_ms = 0;  // Unix milliseconds
  std::int64_t last_seen_at_ms = 0;

  bool operator==(const Node&) const = default;
};

// The API's node object (seed 000): node_id, endpoint, region, capacity_bytes, used_bytes,
// object_count, status, registered_at, last_seen_at (RFC 3339 UTC).
nlohmann::json node_to_json(const Node& node);

}  // namespace zcache::brain
