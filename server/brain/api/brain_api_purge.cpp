// POST /v1/cache/purge: validate, log (sequence number), fan out to the online nodes, sum, answer.
#include <memory>

#include "auth/jwt.h"
#include "brain/api/api_response.h"
#include "brain/api/brain_api.h"
#include "brain/api/purge_fanout.h"
#include "brain/api/purge_selector.h"

namespace zcache::brain {

void BrainApi::purge(std::string_view label, const http::Request& req, http::Responder& res) {
  const Checked<nlohmann::json> body = parse_json_object(req.body);
  if (!body.ok()) return reply(label, res, field_error_response(body.error));
  const Checked<nlohmann::json> selector = parse_purge_selector(*body.value);
  if (!selector.ok()) return reply(label, res, field_error_response(selector.error));

  const std::int64_t now = options_.now_ms();
  const std::int64_t seq = store_.begin_purge(*selector.value, now);

  PurgeFanOutRequest fan;
  for (Node& n : store_.list_nodes())
    if (n.status == NodeStatus::Online) fan.targets.push_back(std::move(n));
  // The nodes record the purge's sequence with it (a hybrid node's file keeps the highest).
  nlohmann::json to_nodes = *selector.value;
  to_nodes["sequence"] = seq;
  fan.body = to_nodes.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  fan.timeout_ms = options_.purge_timeout_ms;
  if (!fan.targets.empty()) {
    auth::MintOptions mint;
    mint.sub = "brain";
    mint.now = now / 1000;
    mint.ttl_seconds = 60 + options_.purge_timeout_ms / 1000;
    fan.token = auth::mint_token(options_.secret, mint);
  }

  // The Responder is shared by the completion only; it is used and released on the loop thread.
  auto responder = std::make_shared<http::Responder>(std::move(res));
  start_purge_fanout(
      server_.loop(), [server = &server_](http::UniqueTask task) { return server->post(std::move(task)); }, transport_,
      std::move(fan), [this, label, seq, responder](PurgeOutcome outcome) {
        for (const PurgeFailure& f : outcome.failures) log("purge " + std::to_string(seq) + ": " + f.node_id + " failed: " + f.reason);
        try {
          store_.complete_purge(seq, outcome.counts);
        } catch (const StoreError& e) {
          // The nodes have purged; only the log entry lacks its counts. Say so, but answer.
          log("purge " + std::to_string(seq) + ": counts not logged: " + e.what());
        }
        reply(label, *responder,
              json_response(200, {{"objects_purged", outcome.counts.objects_purged},
                                  {"bytes_freed", outcome.counts.bytes_freed},
                                  {"nodes_affected", outcome.counts.nodes_affected},
                                  {"nodes_failed", outcome.failures.size()},
                                  {"sequence", seq}}));
      });
}

}  // namespace zcache::brain
