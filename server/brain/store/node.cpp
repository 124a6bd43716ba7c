#include "brain/store/node.h"

#include <nlohmann/json.hpp>

#include "brain/store/time_format.h"

namespace zcache::brain {

std::string_view to_string(NodeStatus status) noexcept {
  switch (status) {
    case NodeStatus::Online: return "online";
    case NodeStatus::Offline: return "offline";
    case NodeStatus::Draining: return "draining";
  }
  return "offline";
}

std::optional<NodeStatus> parse_node_status(std::string_view text) noexcept {
  if (text == "online") return NodeStatus::Online;
  if (text == "offline") return NodeStatus::Offline;
  if (text == "draining") return NodeStatus::Draining;
  return std::nullopt;
}

nlohmann::json node_to_json(const Node& node) {
  return {
      {"node_id", node.node_id},
      {"endpoint", node.endpoint},
      {"region", node.region},
      {"capacity_bytes", node.capacity_bytes},
      {"used_bytes", node.used_bytes},
      {"object_count", node.object_count},
      {"status", std::string(to_string(node.status))},
      {"registered_at", format_rfc3339(node.registered_at_ms)},
      {"last_seen_at", format_rfc3339(node.last_seen_at_ms)},
  };
}

}  // namespace zcache::brain
