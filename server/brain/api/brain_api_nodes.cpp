// The node registry endpoints and the Prometheus exposition.
#include "brain/api/api_response.h"
#include "brain/api/brain_api.h"
#include "brain/api/cluster_metrics.h"
#include "brain/api/prometheus_text.h"

namespace zcache::brain {

http::Response BrainApi::register_node(const http::Request& req) {
  const Checked<nlohmann::json> body = parse_json_object(req.body);
  if (!body.ok()) return field_error_response(body.error);
  const Checked<NodeRegistration> registration = parse_registration(*body.value);
  if (!registration.ok()) return field_error_response(registration.error);
  const RegisterResult result = store_.register_node(*registration.value, options_.now_ms());
  http::Response r = json_response(result.created ? 201 : 200, node_to_json(result.node));
  r.headers.set("Location", "/v1/cache/nodes/" + result.node.node_id);
  return r;
}

http::Response BrainApi::get_node(const std::string& node_id) {
  const std::optional<Node> node = store_.get_node(node_id);
  if (!node) return not_found_response("no node " + node_id);
  return json_response(200, node_to_json(*node));
}

http::Response BrainApi::delete_node(const std::string& node_id) {
  if (!store_.deregister_node(node_id)) return not_found_response("no node " + node_id);
  log("deregistered " + node_id);
  http::Response r;
  r.status = 204;
  return r;
}

http::Response BrainApi::node_metrics(const std::string& node_id) {
  const std::optional<Node> node = store_.get_node(node_id);
  if (!node) return not_found_response("no node " + node_id);
  return json_response(200, node_metrics_json(*node, store_.latest_sample(node_id)));
}

http::Response BrainApi::prometheus() {
  return http::Response::text(
      200, prometheus_text(store_.list_nodes(), store_.latest_samples(), store_.purge_log_bounds().newest, counters_),
      kPrometheusContentType);
}

}  // namespace zcache::brain
