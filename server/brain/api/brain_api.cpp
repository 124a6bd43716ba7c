// Routing, authentication and error mapping. The endpoints' bodies: brain_api_nodes.cpp,
// brain_api_purge.cpp, cluster_metrics.cpp.
#include "brain/api/brain_api.h"

#include <exception>

#include "auth/bearer.h"
#include "brain/api/api_response.h"
#include "brain/api/cluster_metrics.h"
#include "log/log.h"

namespace zcache::brain {

BrainApi::BrainApi(BrainStore& store, http::HttpServer& server, NodeTransport& transport, BrainApiOptions options)
    : store_(store), server_(server), transport_(transport), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = system_now_ms;
}

void BrainApi::reply(std::string_view label, http::Responder& res, http::Response&& response) {
  counters_.count(label, response.status);
  res.send(std::move(response));
}

void BrainApi::handle(http::Request&& req, http::Responder res) {
  const RouteMatch m = match_route(req.method, req.path);
  try {
    route(m, req, res);
  } catch (const StoreError& e) {
    log(std::string("store error (") + std::string(store_error_name(e.kind())) + ") on " + std::string(req.method) +
        " " + req.path + ": " + e.what());
    reply(m.label, res, error_response(503, "store_unavailable", "the brain's store failed; try again later"));
  } catch (const std::exception& e) {
    log("internal error on " + std::string(req.method) + " " + req.path + ": " + e.what());
    reply(m.label, res, error_response(500, "internal_error", "internal error"));
  }
}

void BrainApi::route(const RouteMatch& m, http::Request& req, http::Responder& res) {
  if (m.needs_auth) {
    const auth::VerifyResult who = auth::authenticate_bearer(req.header("Authorization"), options_.secret,
                                                             options_.now_ms() / 1000, options_.auth_leeway_seconds);
    if (!who.ok()) return reply(m.label, res, unauthorized_response(who.message));
  }
  if (m.id == RouteId::NotFound) return reply(m.label, res, not_found_response("no route for " + req.path));
  if (!m.method_allowed) return reply(m.label, res, method_not_allowed_response(m.allow));

  switch (m.id) {
    case RouteId::Health: return reply(m.label, res, json_response(200, {{"status", "ok"}}));
    case RouteId::PrometheusMetrics: return reply(m.label, res, prometheus());
    case RouteId::Status:
      return reply(m.label, res, json_response(200, status_json(store_.list_nodes(), store_.latest_samples())));
    case RouteId::ListNodes: {
      nlohmann::json list = nlohmann::json::array();
      for (const Node& n : store_.list_nodes()) list.push_back(node_to_json(n));
      return reply(m.label, res, json_response(200, list));
    }
    case RouteId::RegisterNode: return reply(m.label, res, register_node(req));
    case RouteId::GetNode: return reply(m.label, res, get_node(m.node_id));
    case RouteId::DeleteNode: return reply(m.label, res, delete_node(m.node_id));
    case RouteId::NodeMetrics: return reply(m.label, res, node_metrics(m.node_id));
    case RouteId::ClusterMetrics:
      return reply(m.label, res,
                   json_response(200, cluster_metrics_json(store_.list_nodes(), store_.latest_samples(), options_.now_ms())));
    case RouteId::Purge: return purge(m.label, req, res);
    case RouteId::NotFound: break;
  }
}

void BrainApi::log(const std::string& line) {
  if (options_.log) options_.log(line);
  else logging::log_line("brain", line);
}

}  // namespace zcache::brain
