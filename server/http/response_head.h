// response_head.h — serializes a response's status line and header block (protocol only).
#pragma once

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

#include "response.h"

namespace zcache::http {

struct ResponseHeadInfo {
  const Response* response = nullptr;
  bool head_request = false;  // HEAD: Content-Length as for GET, no body follows
  bool close = false;         // send "Connection: close"
  bool keep_alive_10 = false; // HTTP/1.0 client kept alive: send "Connection: keep-alive"
  std::string_view request_id;
  std::string_view date;      // IMF-fixdate, see HttpDate
};

struct ResponseHeadResult {
  size_t body_bytes = 0;           // how many payload bytes must follow the head
  bool handler_asked_close = false;  // the handler sent "Connection: close"
  size_t dropped_fields = 0;       // handler fields refused (CR/LF/NUL in value, invalid name)
};

// Appends the head to `out`. The status must be valid (200..999, see valid_final_status); the
// handler's Content-Length, Transfer-Encoding, Connection and X-Request-Id are replaced by the
// server's own. 204 and 304 carry no body; 204 no Content-Length either.
ResponseHeadResult write_response_head(const ResponseHeadInfo& info, std::string& out);

// A final status a handler may send (interim 1xx and out-of-range codes are not).
inline bool valid_final_status(int status) noexcept { return status >= 200 && status <= 999; }

// Caches the Date header value; reformatted at most once per second.
class HttpDate {
 public:
  std::string_view now();

 private:
  std::time_t cached_ = -1;
  char buf_[40] = {};
  size_t len_ = 0;
};

}  // namespace zcache::http
