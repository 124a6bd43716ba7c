// brain/api/route.h — which brain endpoint a method + path names. Pure, so every path shape can be
// checked without a server.
//
// Rules:
//  - Paths match exactly (after percent-decoding); a trailing '/' is a different path → 404.
//  - "register" is a fixed segment: GET /v1/cache/nodes/register is 405 (Allow: POST), not a
//    node lookup.
//  - A node id segment that is not shaped like a node id ("node_" + 16 hex) is answered 404, the
//    same as an id that is well-formed but unknown: either way there is no such node.
//  - GET routes also accept HEAD (the server drops the body).
#pragma once

#include <string>
#include <string_view>

namespace zcache::brain {

enum class RouteId {
  NotFound,  // no such path
  Health,
  PrometheusMetrics,
  Status,
  ListNodes,
  RegisterNode,
  GetNode,
  DeleteNode,
  NodeMetrics,
  ClusterMetrics,
  Purge,
};

struct RouteMatch {
  RouteId id = RouteId::NotFound;
  bool method_allowed = false;  // false: answer 405 with `allow`
  std::string_view allow;       // the path's methods, for the Allow header
  std::string_view label;       // the path template, for logs and metrics ("/v1/cache/nodes/:node_id")
  std::string node_id;          // for the :node_id routes (already checked with looks_like_node_id)
  bool needs_auth = false;      // everything under /v1/cache/
};

RouteMatch match_route(std::string_view method, std::string_view path);

}  // namespace zcache::brain
