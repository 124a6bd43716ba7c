// zcache/http_client.h — the core's HTTP client: the transport under the brain's pollers and purge
// fan-out, the worker's registration and heartbeats, and the SDKs' brain client.
//
//   zcache::HttpClientOptions options;
//   options.timeout_ms = 2000;
//   zcache::HttpClient client(options);
//   zcache::HttpRequest request;
//   request.url = "http://127.0.0.1:8081/health";
//   client.send(std::move(request), [](zcache::HttpResponse r) {   // runs on the client thread
//     if (!r.ok()) log(r.error_message);        // transport failed: r.error says how
//     else use(r.status, r.headers.get("content-type"), r.body);
//   });
//
// Threading: one client owns one thread (the "client thread") running a libuv loop that drives
// libcurl's multi interface. send() and shutdown() may be called from any thread; requests are
// batched onto the client thread by one wake-up. Every `done` callback runs on the client thread,
// exactly once per accepted request, with no lock of the client held — keep it short (hand the
// response to your own thread or runtime) and never block in it.
//
// Connections: one connection pool per client, kept alive between requests (HTTP/1.1; HTTP/2 over
// TLS when the server offers it), at most `max_connections_per_host` to any host. Redirects are not
// followed. Only http:// and https:// URLs are accepted.
//
// Errors: an HTTP status, whatever it is, is a response (ok() is true); a request that got no
// complete response has `error` set (see TransportError) and maps to a zcache::ErrorKind with
// error_kind() / to_error(). Nothing is thrown to a callback; an exception thrown *by* a callback
// is caught on the client thread and logged.
//
// Shutdown (as in hiredis: drain vs. cancel):
//   - shutdown(Drain):  stop accepting; let queued and in-flight requests finish normally.
//   - shutdown(Cancel): stop accepting; every queued or in-flight request completes at once with
//                       TransportError::Cancelled.
//   Both then release every handle and join the client thread. The destructor is shutdown(Cancel).
//   send() after shutdown began throws zcache::Error(Closed) and does not call `done`.
//   From inside a callback (on the client thread) shutdown() only begins the shutdown and the
//   destructor does not join: the client thread finishes it and frees the client's state itself.
#pragma once

#include <zcache/error.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zcache {

namespace detail {
class ClientLoop;
}

// ---------------------------------------------------------------------------------------------
// Headers

// An ordered list of header fields; lookup by name is ASCII case-insensitive (RFC 9110 §5.1).
// Repeated fields are kept as separate entries, in order.
class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;
  using const_iterator = std::vector<Field>::const_iterator;

  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<Field> fields) : fields_(fields) {}
  explicit HttpHeaders(std::vector<Field> fields) noexcept : fields_(std::move(fields)) {}

  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field named `name` by one with `value`.
  void set(std::string_view name, std::string value);
  // The first field named `name`, or null.
  const std::string* find(std::string_view name) const noexcept;
  // The first value of `name`, or `fallback` when absent.
  std::string_view get(std::string_view name, std::string_view fallback = {}) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
  // Every value of a repeated field, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  const_iterator begin() const noexcept { return fields_.begin(); }
  const_iterator end() const noexcept { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

// ---------------------------------------------------------------------------------------------
// Options, requests, responses

struct HttpClientOptions {
  std::int64_t timeout_ms = 10'000;        // whole request, connect to last byte (ZCACHE_TIMEOUT)
  std::int64_t connect_timeout_ms = 5'000; // TCP (+ TLS) connect; capped by the request's timeout
  std::uint32_t max_connections_per_host = 64;  // further requests to that host wait; 0 = no limit
  std::uint32_t max_pooled_connections = 256;   // open connections kept, all hosts together
  std::size_t max_response_bytes = 64 << 20;   // a longer body fails the request with TooLarge
  std::string user_agent = "zcache/0.1";
  bool verify_tls = true;                  // check the server's certificate and name
  std::string ca_file;                     // PEM bundle for verification; empty = the system's
  // Where log lines go (without a trailing newline), on the client thread; null = stderr.
  std::function<void(std::string_view line)> log_sink;
};

struct HttpRequest {
  std::string method = "GET";  // any token; HEAD gets no body back
  std::string url;             // http:// or https://
  HttpHeaders headers;         // sent as given; Content-Length and Host are the client's job
  std::string body;            // sent when non-empty, and always for POST/PUT/PATCH
  std::int64_t timeout_ms = 0; // 0 = the client's timeout_ms
};

// Why a request got no complete response.
enum class TransportError : std::uint8_t {
  None,
  Connect,         // refused, unreachable, or no connection within the timeout: nothing was sent
  Dns,             // the host name did not resolve: nothing was sent
  Tls,             // TLS handshake or certificate verification failed
  Timeout,         // connected, but the response did not complete in time
  ConnectionLost,  // the connection failed or closed after the request may have been sent
  Protocol,        // the server's answer was not HTTP we can read
  TooLarge,        // the body passed max_response_bytes
  InvalidRequest,  // the request itself is unusable (bad URL, unsupported scheme, bad header)
  Cancelled,       // shutdown(Cancel) or the destructor ended it
  Internal,        // out of memory or a libcurl/libuv failure
};

// "connect", "dns", "tls", ... (stable names for logs).
std::string_view transport_error_name(TransportError error) noexcept;
// Connect/Dns/ConnectionLost → Unavailable; Timeout → Timeout; Tls/Protocol → Protocol;
// TooLarge → TooLarge; InvalidRequest → InvalidArgument; Cancelled → Cancelled;
// Internal → Internal. (None → Internal: there is no error to map.)
ErrorKind transport_error_kind(TransportError error) noexcept;

struct HttpResponse {
  int status = 0;         // the final HTTP status; 0 unless ok()
  HttpHeaders headers;    // the final response's header fields
  std::string body;
  TransportError error = TransportError::None;
  std::string error_message;  // what went wrong, for humans (empty when ok())
  std::int64_t elapsed_us = 0;  // from the start of the transfer to its end (excludes queueing)

  // True when a complete response arrived, whatever its status.
  bool ok() const noexcept { return error == TransportError::None; }
  ErrorKind error_kind() const noexcept { return transport_error_kind(error); }
  // The transport error as a zcache::Error (call only when !ok()).
  Error to_error() const;
};

struct HttpClientStats {
  std::uint64_t requests = 0;            // accepted by send()
  std::uint64_t completed = 0;           // callbacks invoked (responses and failures)
  std::uint64_t failed = 0;              // of which with a transport error (Cancelled included)
  std::uint64_t connections_opened = 0;  // new TCP connections; the rest reused a kept-alive one
};

// ---------------------------------------------------------------------------------------------
// The client

enum class ShutdownMode : std::uint8_t { Drain, Cancel };

class HttpClient {
 public:
  using Callback = std::function<void(HttpResponse)>;

  // Starts the client thread. Throws Error(InvalidArgument) for a bad option, Error(Internal) when
  // libcurl or libuv cannot be initialised.
  explicit HttpClient(HttpClientOptions options = {});
  // shutdown(Cancel); see the header comment for the call from a callback.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues `request`; `done` runs once on the client thread with the response or the transport
  // error. Any thread. Throws Error(Closed) once shutdown has begun (then `done` is not called).
  void send(HttpRequest request, Callback done);
  // The same, for simple callers and tests: the future is ready on the client thread. Never wait on
  // it from inside a callback (the client thread would wait for itself).
  std::future<HttpResponse> send(HttpRequest request);

  // Stops the client (see the header comment) and waits for the client thread, unless called on
  // the client thread. Idempotent; Cancel after Drain turns a drain that is still going into a
  // cancel.
  void shutdown(ShutdownMode mode = ShutdownMode::Cancel);

  // Counters, readable from any thread (each one is exact; together they are a loose snapshot).
  HttpClientStats stats() const noexcept;

 private:
  std::shared_ptr<detail::ClientLoop> loop_;
};

}  // namespace zcache
