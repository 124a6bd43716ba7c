// BrainClient: the nine calls of seed 000 (+ /health) as CallSpecs for the engine in client_core.
#include <zcache/brain_client.h>

#include "client/client_core.h"
#include "client/noop_results.h"
#include "client/options_check.h"
#include "client/path_encoding.h"

namespace zcache {
namespace {

using client::CallSpec;

// Serialising can throw (strings that are not UTF-8); that is the caller's bad argument.
std::optional<std::string> dump(const nlohmann::json& body, std::string& error) {
  try {
    return body.dump();
  } catch (const nlohmann::json::exception& e) {
    error = std::string("request body is not serialisable JSON: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace

BrainClient::BrainClient(BrainClientOptions options, std::shared_ptr<HttpClient> http) {
  client::check_options(options);
  auto core = std::make_shared<Core>(std::move(options));
  if (core->options.enabled) {
    if (http) {
      core->http = std::move(http);
    } else {
      HttpClientOptions ho;
      ho.timeout_ms = core->options.timeout_ms;  // each attempt also sets its remaining budget
      core->http = std::make_shared<HttpClient>(std::move(ho));
      core->owns_http = true;
    }
  }
  core_ = std::move(core);
}

BrainClient::~BrainClient() {
  // Retries waiting on the timer complete with Cancelled; then an owned HttpClient cancels what
  // is in flight (from inside one of its callbacks this only begins the shutdown, as documented).
  core_->timer.stop();
  if (core_->owns_http) core_->http->shutdown(ShutdownMode::Cancel);
}

const BrainClientOptions& BrainClient::options() const noexcept { return core_->options; }

// One helper per shape of call keeps the nine methods one line each.
namespace {

void run(const std::shared_ptr<BrainClient::Core>& core, CallSpec spec, const nlohmann::json& noop,
         BrainClient::Callback done) {
  if (!core->options.enabled) return client::complete_later(core, BrainResult(noop), std::move(done));
  client::start_call(core, std::move(spec), std::move(done));
}

void run_with_id(const std::shared_ptr<BrainClient::Core>& core, const char* method, std::string_view node_id,
                 std::string_view suffix, BrainClient::Callback done) {
  if (!core->options.enabled) return client::complete_later(core, BrainResult(nlohmann::json(nullptr)), std::move(done));
  // "." and ".." would be removed from the URL as dot segments (RFC 3986 §5.2.4) and hit another route.
  if (node_id.empty() || node_id == "." || node_id == "..")
    return client::complete_later(
        core, BrainResult(Error(ErrorKind::InvalidArgument, "node_id must not be empty, \".\" or \"..\"")),
        std::move(done));
  CallSpec spec;
  spec.method = method;
  spec.path = "/v1/cache/nodes/" + client::encode_path_segment(node_id) + std::string(suffix);
  client::start_call(core, std::move(spec), std::move(done));
}

void run_with_body(const std::shared_ptr<BrainClient::Core>& core, std::string path, const nlohmann::json& body,
                   const nlohmann::json& noop, BrainClient::Callback done) {
  if (!core->options.enabled) return client::complete_later(core, BrainResult(noop), std::move(done));
  std::string error;
  std::optional<std::string> text = dump(body, error);
  if (!text)
    return client::complete_later(core, BrainResult(Error(ErrorKind::InvalidArgument, error)), std::move(done));
  CallSpec spec;
  spec.method = "POST";
  spec.path = std::move(path);
  spec.body = std::move(*text);
  client::start_call(core, std::move(spec), std::move(done));
}

CallSpec get(std::string path) {
  CallSpec spec;
  spec.path = std::move(path);
  return spec;
}

}  // namespace

void BrainClient::get_status(Callback done) { run(core_, get("/v1/cache/status"), client::noop_status(), std::move(done)); }

void BrainClient::list_nodes(Callback done) {
  run(core_, get("/v1/cache/nodes"), nlohmann::json::array(), std::move(done));
}

void BrainClient::register_node(nlohmann::json body, Callback done) {
  run_with_body(core_, "/v1/cache/nodes/register", body, nlohmann::json(nullptr), std::move(done));
}

void BrainClient::get_node(std::string_view node_id, Callback done) {
  run_with_id(core_, "GET", node_id, "", std::move(done));
}

void BrainClient::deregister_node(std::string_view node_id, Callback done) {
  run_with_id(core_, "DELETE", node_id, "", std::move(done));
}

void BrainClient::get_node_metrics(std::string_view node_id, Callback done) {
  run_with_id(core_, "GET", node_id, "/metrics", std::move(done));
}

void BrainClient::get_metrics(Callback done) {
  run(core_, get("/v1/cache/metrics"), client::noop_metrics(), std::move(done));
}

void BrainClient::purge(nlohmann::json body, Callback done) {
  run_with_body(core_, "/v1/cache/purge", body, client::noop_purge(), std::move(done));
}

void BrainClient::health(Callback done) {
  CallSpec spec = get("/health");
  spec.authorized = false;  // the brain serves /health without auth; the token need not travel
  run(core_, std::move(spec), client::noop_health(), std::move(done));
}

}  // namespace zcache
