// brain/api/node_transport.h — how the brain talks to its workers (purge fan-out, health probes,
// metrics polls), behind an interface so tests can stand in for workers without sockets.
//
// The request and response types are the core HTTP client's (zcache/http_client.h): the real
// transport is a thin wrapper, and a fake only has to fill in an HttpResponse.
#pragma once

#include <zcache/http_client.h>

#include <functional>
#include <memory>

namespace zcache::brain {

class NodeTransport {
 public:
  using Callback = std::function<void(HttpResponse)>;
  virtual ~NodeTransport() = default;

  // Sends `request`; `done` runs exactly once, on any thread (possibly inside send() itself), with
  // the response or a transport error. Must not throw. An implementation should honour
  // request.timeout_ms, but callers do not rely on it: they keep deadlines of their own.
  virtual void send(HttpRequest request, Callback done) = 0;
};

// The production transport: one core HttpClient (its own thread, keep-alive pool).
class HttpNodeTransport final : public NodeTransport {
 public:
  explicit HttpNodeTransport(HttpClientOptions options = {});
  ~HttpNodeTransport() override;  // cancels what is in flight (each `done` sees Cancelled)

  void send(HttpRequest request, Callback done) override;
  // Cancels in-flight requests and joins the client thread. Idempotent. Call it before the loop
  // the callbacks post to goes away.
  void shutdown();

 private:
  std::unique_ptr<HttpClient> client_;
};

}  // namespace zcache::brain
