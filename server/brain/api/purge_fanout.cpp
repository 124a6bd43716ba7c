#include "brain/api/purge_fanout.h"

#include <climits>
#include <memory>

#include <nlohmann/json.hpp>

namespace zcache::brain {
namespace {

bool read_count(const nlohmann::json& j, const char* field, std::int64_t& out) {
  const auto it = j.find(field);
  if (it == j.end() || !it->is_number_integer()) return false;
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out = static_cast<std::int64_t>(v);
    return true;
  }
  out = it->get<std::int64_t>();
  return out >= 0;
}

std::int64_t add_saturating(std::int64_t a, std::int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

}  // namespace

bool parse_purge_answer(const std::string& body, std::int64_t& objects_purged, std::int64_t& bytes_freed) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  return j.is_object() && read_count(j, "objects_purged", objects_purged) && read_count(j, "bytes_freed", bytes_freed);
}

void start_purge_fanout(uv_loop_t* loop, LoopPoster post, NodeTransport& transport, PurgeFanOutRequest request,
                        std::function<void(PurgeOutcome)> done) {
  std::vector<HttpRequest> requests;
  requests.reserve(request.targets.size());
  for (const Node& node : request.targets) {
    HttpRequest req;
    req.method = "POST";
    req.url = node.endpoint + "/purge";
    req.headers.add("Authorization", "Bearer " + request.token);
    req.headers.add("Content-Type", "application/json");
    req.body = request.body;
    req.timeout_ms = request.timeout_ms;
    requests.push_back(std::move(req));
  }
  struct State {
    std::vector<Node> targets;
    PurgeOutcome outcome;
    std::function<void(PurgeOutcome)> done;
  };
  auto state = std::make_shared<State>(State{std::move(request.targets), {}, std::move(done)});

  FanOutCallbacks callbacks;
  callbacks.on_answer = [state](std::size_t i, HttpResponse r) {
    auto fail = [&](std::string reason) { state->outcome.failures.push_back({state->targets[i].node_id, std::move(reason)}); };
    std::int64_t objects = 0, bytes = 0;
    if (!r.ok()) {
      fail(std::string(transport_error_name(r.error)) + ": " + r.error_message);
    } else if (r.status != 200) {
      fail("HTTP " + std::to_string(r.status));
    } else if (!parse_purge_answer(r.body, objects, bytes)) {
      fail("bad answer: expected {\"objects_purged\", \"bytes_freed\"}");
    } else {
      PurgeCounts& c = state->outcome.counts;
      c.objects_purged = add_saturating(c.objects_purged, objects);
      c.bytes_freed = add_saturating(c.bytes_freed, bytes);
      ++c.nodes_affected;
    }
  };
  callbacks.on_done = [state] { state->done(std::move(state->outcome)); };
  fan_out(loop, std::move(post), transport, std::move(requests), request.timeout_ms, std::move(callbacks));
}

}  // namespace zcache::brain
