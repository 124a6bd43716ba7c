// zcache/brain_client.h — the client of the brain's cluster API (seed 000, DESIGN §7/§8): the eight
// /v1/cache/* calls plus /health, over the core's HttpClient. The JS and Python SDKs wrap this.
//
//   auto options = zcache::from_environment({});            // ZCACHE_* / ZATABASE_* (may throw)
//   zcache::BrainClient brain(options);
//   brain.get_status([](zcache::BrainResult r) {            // runs on a client thread (see below)
//     if (r.ok()) use(r.value()["hit_ratio"]);
//     else log(r.error().code(), r.error().http_status(), r.error().what());
//   });
//
// Threading: every call may be made from any thread and never runs `done` inline. `done` runs
// exactly once, on a thread the client owns: the HttpClient's thread for answers from the network,
// or the brain client's timer thread for results that need no network (no-ops when disabled, the
// circuit breaker's fail-fast, a bad argument, a retry cancelled by shutdown). Keep `done` short
// and non-blocking; bindings hop to their own thread (Node: thread-safe function; Python:
// loop.call_soon_threadsafe).
//
// Errors (zcache::Error in BrainResult, never thrown to `done`):
//   HTTP 400/422 → BadRequest, 401 → Unauthorized, 403 → Forbidden, 404 → NotFound, 409 → Conflict,
//   413 → TooLarge, 429 → RateLimited, 502/503 → Unavailable, 504 → Timeout, other 4xx → BadRequest,
//   other 5xx → Internal; each carries http_status() and the server's `error.message` (or
//   "HTTP <status>" when the error body is not the brain's JSON). Unreachable brain → Unavailable
//   (http_status 0), no answer within the timeout → Timeout, a 2xx body that is not JSON (or a 1xx/3xx
//   answer) → Protocol. Circuit open → Unavailable at once.
//
// Retries: only GET and DELETE, only after a failure that the server did not act on or that says
// "try again" (connect/DNS failure, connection lost, 502/503/504), at most `retries` times, with
// full-jitter exponential backoff; the whole call, retries and backoff included, is bounded by
// `timeout_ms`. POST (register_node, purge) is never retried.
//
// Circuit breaker: `breaker_threshold` consecutive transport failures (no HTTP answer) open it;
// while open every call fails fast with Unavailable; after `breaker_cooldown_ms` one trial request
// goes out: an answer of any status closes it, a failure re-opens it for another cool-down.
//
// Disabled (`enabled == false`, ZCACHE_ENABLED=false): no thread talks to the network and every
// call resolves successfully to its no-op value:
//   get_status       {"brain_healthy":false,"total_nodes":0,"online_nodes":0,"total_cache_bytes":0,
//                     "used_cache_bytes":0,"hit_ratio":0.0}
//   list_nodes       []
//   get_metrics      every counter 0, ratios/latencies 0.0, "active_nodes":0, "collected_at":null
//   purge            {"objects_purged":0,"bytes_freed":0,"nodes_affected":0}
//   health           {"status":"disabled"}
//   register_node, get_node, deregister_node, get_node_metrics   null
//
// Results: the parsed JSON body (objects with the seed's snake_case fields; a list for list_nodes;
// null for an empty body, e.g. deregister_node's 204).
#pragma once

#include <zcache/error.h>
#include <zcache/http_client.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace zcache {

struct BrainClientOptions {
  std::string base_url = "http://127.0.0.1:8081";  // the brain's API (seed: port 8081)
  std::string token;                 // sent as "Authorization: Bearer <token>"; empty = none
  std::int64_t timeout_ms = 10'000;  // whole call, retries included (ZCACHE_TIMEOUT)
  int retries = 2;                   // extra attempts for idempotent calls; 0 = none
  std::int64_t backoff_base_ms = 50; // first retry waits uniform [0, base]; doubles per retry
  std::int64_t backoff_max_ms = 1'000;
  int breaker_threshold = 5;         // consecutive transport failures that open the breaker; 0 = no breaker
  std::int64_t breaker_cooldown_ms = 5'000;
  bool enabled = true;               // ZCACHE_ENABLED; false = every call is a no-op
};

// What from_environment() takes from the caller; a set field wins over the environment.
struct BrainClientOverrides {
  std::optional<std::string> base_url;
  std::optional<std::string> token;
  std::optional<std::int64_t> timeout_ms;
  std::optional<bool> enabled;
};

// Options from the environment: ZATABASE_URL (else ZCACHE_BRAIN_URL), ZATABASE_TOKEN, ZCACHE_TIMEOUT
// (seconds, may be fractional), ZCACHE_ENABLED (true/false, 1/0, yes/no, on/off). Unset or empty
// variables keep the defaults. Throws Error(InvalidArgument) naming the variable (or the override)
// whose value is unusable.
BrainClientOptions from_environment(const BrainClientOverrides& overrides = {});
// The same with a lookup in place of getenv (tests): returns the value or nullopt.
BrainClientOptions from_environment(const BrainClientOverrides& overrides,
                                    const std::function<std::optional<std::string>(std::string_view)>& lookup);

// A call's outcome: the parsed JSON or the error.
class BrainResult {
 public:
  explicit BrainResult(nlohmann::json value) : v_(std::move(value)) {}
  explicit BrainResult(Error error) : v_(std::move(error)) {}

  bool ok() const noexcept { return v_.index() == 0; }
  const nlohmann::json& value() const { return std::get<0>(v_); }  // only when ok()
  nlohmann::json& value() { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }           // only when !ok()

 private:
  std::variant<nlohmann::json, Error> v_;
};

class BrainClient {
 public:
  using Callback = std::function<void(BrainResult)>;

  // Throws Error(InvalidArgument) for unusable options (a base_url that is not http(s)://, a
  // non-positive timeout, negative retries). `http` shares an existing HttpClient (its thread runs
  // the callbacks; its own timeout is not used); null = the brain client makes and owns one.
  explicit BrainClient(BrainClientOptions options, std::shared_ptr<HttpClient> http = nullptr);
  // Calls still waiting for a retry complete with Cancelled; with an owned HttpClient, requests in
  // flight complete with Cancelled too (shutdown(Cancel)). May be called from inside a callback.
  ~BrainClient();
  BrainClient(const BrainClient&) = delete;
  BrainClient& operator=(const BrainClient&) = delete;

  const BrainClientOptions& options() const noexcept;

  void get_status(Callback done);                                     // GET    /v1/cache/status
  void list_nodes(Callback done);                                     // GET    /v1/cache/nodes
  void register_node(nlohmann::json body, Callback done);             // POST   /v1/cache/nodes/register
  void get_node(std::string_view node_id, Callback done);             // GET    /v1/cache/nodes/{id}
  void deregister_node(std::string_view node_id, Callback done);      // DELETE /v1/cache/nodes/{id}
  void get_node_metrics(std::string_view node_id, Callback done);     // GET    /v1/cache/nodes/{id}/metrics
  void get_metrics(Callback done);                                    // GET    /v1/cache/metrics
  void purge(nlohmann::json body, Callback done);                     // POST   /v1/cache/purge
  void health(Callback done);                                         // GET    /health (no auth needed)

  struct Core;  // shared with requests in flight (core/src/client)

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace zcache
