// access_log.h — the one-line-per-request log format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zcache::http {

struct AccessLogEntry {
  std::string_view remote;      // "ip:port"
  std::string_view method;      // "-" when the request could not be parsed
  std::string_view target;      // raw request-target; "-" when unknown
  int status = 0;
  uint64_t bytes = 0;           // response bytes written (head + body)
  uint64_t duration_ns = 0;     // first request byte parsed → response written
  std::string_view request_id;
};

// `http 127.0.0.1:5123 "GET /v1/cache/status" 200 312B 0.214ms id=3f9a1c2b7d0e`
// Control characters in client-supplied parts are replaced so a request cannot forge log lines.
std::string format_access_line(const AccessLogEntry& e);

}  // namespace zcache::http
