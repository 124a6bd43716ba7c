// brain/api/brain_api.h — the brain's HTTP API (DESIGN §8, seed 000) on top of the BrainStore.
//
//   GET    /health                          no auth   {"status":"ok"}
//   GET    /metrics                         no auth   Prometheus text (prometheus_text.h)
//   GET    /v1/cache/status                 Bearer    cluster overview (cluster_metrics.h)
//   GET    /v1/cache/nodes                  Bearer    bare JSON array of node objects
//   POST   /v1/cache/nodes/register         Bearer    {endpoint, region, capacity_bytes} → 201 node
//                                                     (200 when the endpoint was registered already)
//   GET    /v1/cache/nodes/:node_id         Bearer    node object, or 404
//   DELETE /v1/cache/nodes/:node_id         Bearer    204, or 404
//   GET    /v1/cache/nodes/:node_id/metrics Bearer    per-node metrics, or 404
//   GET    /v1/cache/metrics                Bearer    cluster metrics
//   POST   /v1/cache/purge                  Bearer    {prefix?, keys?, tags?} → fan-out to online
//                                                     nodes → {objects_purged, bytes_freed,
//                                                     nodes_affected, nodes_failed, sequence}
//
// Errors are {"error":{"code","message"}} (400s add "field"): 400 invalid_request (body not a JSON
// object, a field refused — the message and "field" name it), 401 unauthorized (+ WWW-Authenticate:
// Bearer; checked before the route, so unknown /v1/cache/ paths are 401 for anonymous callers),
// 404 not_found (unknown path, unknown or malformed node id), 405 method_not_allowed (+ Allow),
// 503 store_unavailable (a StoreError: disk full, database locked, ...). Routing rules: route.h.
//
// Threading: handle() runs on the server's loop thread. A purge answers later: the transport's
// callbacks hop back with HttpServer::post, and the Responder is only ever used on the loop.
// Lifetime: the store, server and transport must outlive the BrainApi, and the BrainApi must live
// until the loop has ended (an in-flight purge answers through it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "brain/api/brain_clock.h"
#include "brain/api/node_transport.h"
#include "brain/api/request_counters.h"
#include "brain/api/route.h"
#include "brain/store/brain_store.h"
#include "http/http_server.h"

namespace zcache::brain {

struct BrainApiOptions {
  std::string secret;                     // HS256 key: verifies API tokens, signs worker tokens
  NowMs now_ms = system_now_ms;           // token checks, store timestamps, collected_at
  std::int64_t auth_leeway_seconds = 0;   // tolerated clock skew on exp/nbf
  std::int64_t purge_timeout_ms = 5'000;  // a node that has not answered by then counts as failed
  // One line per event (purge results, store errors); null = the shared stderr log.
  std::function<void(std::string_view)> log;
};

class BrainApi {
 public:
  BrainApi(BrainStore& store, http::HttpServer& server, NodeTransport& transport, BrainApiOptions options);
  BrainApi(const BrainApi&) = delete;
  BrainApi& operator=(const BrainApi&) = delete;

  void handle(http::Request&& req, http::Responder res);
  // A handler for HttpServer::set_handler that forwards to handle().
  http::HttpServer::Handler handler() {
    return [this](http::Request&& req, http::Responder res) { handle(std::move(req), std::move(res)); };
  }

  const RequestCounters& request_counters() const noexcept { return counters_; }

 private:
  void route(const RouteMatch& m, http::Request& req, http::Responder& res);
  void reply(std::string_view label, http::Responder& res, http::Response&& response);

  http::Response register_node(const http::Request& req);
  http::Response get_node(const std::string& node_id);
  http::Response delete_node(const std::string& node_id);
  http::Response node_metrics(const std::string& node_id);
  http::Response prometheus();
  void purge(std::string_view label, const http::Request& req, http::Responder& res);

  void log(const std::string& line);

  BrainStore& store_;
  http::HttpServer& server_;
  NodeTransport& transport_;
  BrainApiOptions options_;
  RequestCounters counters_;
};

}  // namespace zcache::brain
