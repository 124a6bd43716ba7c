// request_parser.h — turns received bytes into Requests, enforcing the request limits.
//
// Protocol only: no sockets, no clocks (the caller passes the time), so it can be unit-tested and
// fuzzed by itself. Built on nodejs/http-parser (DESIGN §3: no hand-written HTTP parser), which
// also de-chunks bodies and rejects request-smuggling shapes (Content-Length with chunked, bad
// Transfer-Encoding). One parser lives as long as its connection and is reused for every request.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "request.h"

namespace zcache::http {

struct ParseLimits {
  size_t max_header_bytes = 16 * 1024;  // request line + header fields; beyond → 431 (414 for the URL)
  size_t max_header_count = 100;        // beyond → 431
  size_t max_body_bytes = 8 * 1024 * 1024;  // beyond → 413, from Content-Length before any body byte
};

// Why the stream cannot go on: the status to answer with, then close.
struct ParseError {
  int status = 0;             // 400, 413, 414, 431, 501
  std::string_view code;      // "bad_request", "payload_too_large", ...
  std::string message;        // human-readable detail
};

class RequestParser {
 public:
  enum class Phase { kIdle, kHeaders, kBody };  // kIdle: no byte of a next request seen yet

  explicit RequestParser(ParseLimits limits = {});
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses `len` bytes; appends each completed request to `out`. `now_ns` stamps
  // Request::received_ns. Returns false when the stream failed (see error()). Once done(), input
  // is ignored: after an error, after a request that ends the connection (Connection: close,
  // HTTP/1.0 without keep-alive, Upgrade), or after stop_after_current().
  bool feed(const char* data, size_t len, uint64_t now_ns, std::vector<Request>& out);

  Phase phase() const noexcept { return phase_; }
  bool done() const noexcept { return done_; }
  bool failed() const noexcept { return error_.status != 0; }
  const ParseError& error() const noexcept { return error_; }

  // True while a request that sent "Expect: 100-continue" waits for its body and no interim
  // response was sent yet; the caller sends "100 Continue" when it is that request's turn.
  bool wants_continue() const noexcept { return wants_continue_; }
  void continue_sent() noexcept { wants_continue_ = false; }

  // Graceful shutdown: the request in progress (if any) is finished and marked keep_alive=false;
  // no further request is parsed.
  void stop_after_current() noexcept;

 private:
  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, size_t len);
  static int on_header_field(http_parser* p, const char* at, size_t len);
  static int on_header_value(http_parser* p, const char* at, size_t len);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t len);
  static int on_message_complete(http_parser* p);
  static const http_parser_settings kSettings;

  // Records the first error; returns the non-zero value that makes http_parser stop.
  int fail(int status, std::string_view code, std::string message);
  int finish_head();  // target → path/query/params, limits on the declared body

  http_parser parser_;
  ParseLimits limits_;
  Request current_;
  std::vector<Request>* out_ = nullptr;  // valid only during feed()
  uint64_t now_ns_ = 0;
  size_t header_bytes_ = 0;
  Phase phase_ = Phase::kIdle;
  bool in_value_ = false;  // the last header callback was a value (the next field starts a new header)
  bool wants_continue_ = false;
  bool stop_requested_ = false;
  bool done_ = false;
  ParseError error_;
};

}  // namespace zcache::http
