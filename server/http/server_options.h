// server_options.h — limits, timeouts and logging of an HttpServer. Defaults suit an edge cache
// facing untrusted clients; tests shrink the timeouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace zcache::http {

struct ServerOptions {
  // Request limits (see RequestParser).
  size_t max_header_bytes = 16 * 1024;     // → 431 and close (414 when the URL alone is over)
  size_t max_header_count = 100;           // → 431 and close
  size_t max_body_bytes = 8 * 1024 * 1024; // → 413 and close; from Content-Length when announced

  // Timeouts, in milliseconds.
  uint64_t header_timeout_ms = 10'000;  // a started request must complete its head in this → 408
  uint64_t body_timeout_ms = 10'000;    // longest silence while a body arrives → 408
  uint64_t idle_timeout_ms = 60'000;    // keep-alive connection with nothing in flight → closed
  uint64_t send_timeout_ms = 60'000;    // longest stall of a response write (client not reading) → closed
  uint64_t linger_ms = 2'000;           // after a final response: read and discard for up to this
                                        // before closing, so the client sees the response, not a RST
  uint64_t shutdown_timeout_ms = 30'000;  // shutdown(): connections still open after this are closed

  size_t max_connections = 10'000;       // further connections are accepted and closed at once
  size_t max_pipelined_requests = 64;    // stop reading a connection with this many unanswered requests
  size_t max_write_queue_bytes = 4 << 20;  // stop reading while this much response data is unsent
  int listen_backlog = 1024;

  bool access_log = true;  // one line per request
  bool error_log = true;   // handler mistakes (dropped responders, double answers, exceptions)
  // Where log lines go (without a trailing newline); null = stderr. Called on the loop thread.
  std::function<void(std::string_view line)> log_sink;
};

}  // namespace zcache::http
