#include "brain/api/route.h"

#include "brain/store/node_id.h"

namespace zcache::brain {
namespace {

constexpr std::string_view kGet = "GET, HEAD";
constexpr std::string_view kApiPrefix = "/v1/cache/";
constexpr std::string_view kNodesPrefix = "/v1/cache/nodes/";

bool is_get(std::string_view method) { return method == "GET" || method == "HEAD"; }

RouteMatch get_only(RouteId id, std::string_view method, std::string_view label) {
  RouteMatch m;
  m.id = id;
  m.label = label;
  m.allow = kGet;
  m.method_allowed = is_get(method);
  return m;
}

RouteMatch post_only(RouteId id, std::string_view method, std::string_view label) {
  RouteMatch m;
  m.id = id;
  m.label = label;
  m.allow = "POST";
  m.method_allowed = method == "POST";
  return m;
}

RouteMatch not_found() {
  RouteMatch m;
  m.label = "other";
  return m;
}

// /v1/cache/nodes/<rest>: "register", ":node_id" or ":node_id/metrics".
RouteMatch match_node_route(std::string_view method, std::string_view rest) {
  if (rest == "register") return post_only(RouteId::RegisterNode, method, "/v1/cache/nodes/register");
  std::string_view id = rest;
  bool metrics = false;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (rest.substr(slash) != "/metrics") return not_found();
    id = rest.substr(0, slash);
    metrics = true;
  }
  if (!looks_like_node_id(id)) return not_found();
  RouteMatch m;
  if (metrics) {
    m = get_only(RouteId::NodeMetrics, method, "/v1/cache/nodes/:node_id/metrics");
  } else {
    m.label = "/v1/cache/nodes/:node_id";
    m.allow = "GET, HEAD, DELETE";
    m.id = method == "DELETE" ? RouteId::DeleteNode : RouteId::GetNode;
    m.method_allowed = is_get(method) || method == "DELETE";
  }
  m.node_id = std::string(id);
  return m;
}

}  // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
  if (path == "/health") return get_only(RouteId::Health, method, "/health");
  if (path == "/metrics") return get_only(RouteId::PrometheusMetrics, method, "/metrics");
  if (path.substr(0, kApiPrefix.size()) != kApiPrefix) return not_found();

  RouteMatch m;
  if (path == "/v1/cache/status") m = get_only(RouteId::Status, method, "/v1/cache/status");
  else if (path == "/v1/cache/nodes") m = get_only(RouteId::ListNodes, method, "/v1/cache/nodes");
  else if (path == "/v1/cache/metrics") m = get_only(RouteId::ClusterMetrics, method, "/v1/cache/metrics");
  else if (path == "/v1/cache/purge") m = post_only(RouteId::Purge, method, "/v1/cache/purge");
  else if (path.substr(0, kNodesPrefix.size()) == kNodesPrefix) m = match_node_route(method, path.substr(kNodesPrefix.size()));
  else m = not_found();
  m.needs_auth = true;  // unknown paths under /v1/cache/ too: no route map for anonymous callers
  return m;
}

}  // namespace zcache::brain
