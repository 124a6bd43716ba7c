// client_core.h — the state a BrainClient shares with its calls in flight, and the call engine:
// one attempt after another (retries, backoff, circuit breaker) until a result goes to `done`.
#pragma once

#include <zcache/brain_client.h>

#include <memory>
#include <string>

#include "client/circuit_breaker.h"
#include "client/timer_thread.h"

namespace zcache {

struct BrainClient::Core {
  explicit Core(BrainClientOptions o);

  const BrainClientOptions options;
  const std::string base_url;         // without trailing '/'
  std::shared_ptr<HttpClient> http;   // null when disabled
  bool owns_http = false;
  client::CircuitBreaker breaker;
  client::TimerThread timer;          // backoff and network-free results
};

namespace client {

struct CallSpec {
  const char* method = "GET";
  std::string path;        // "/v1/cache/..." with path parameters already encoded
  std::string body;        // JSON; sent with Content-Type when non-empty
  bool authorized = true;  // false for /health
};

// Starts a call; `done` runs exactly once, never inline (see brain_client.h for the threads).
void start_call(const std::shared_ptr<BrainClient::Core>& core, CallSpec spec, BrainClient::Callback done);
// Completes `done` with `result` on the timer thread (results that need no network).
void complete_later(const std::shared_ptr<BrainClient::Core>& core, BrainResult result, BrainClient::Callback done);

}  // namespace client
}  // namespace zcache
