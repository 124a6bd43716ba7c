// request_id.h — short unique ids that tie a request's log line to its response (X-Request-Id).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace zcache::http {

// 12 hex digits: a per-process random base plus a counter, scrambled by a bijective mix so ids
// from one server never repeat within 2^48 requests and do not reveal request counts.
class RequestIdGenerator {
 public:
  RequestIdGenerator();
  std::string next();

 private:
  uint64_t base_;
  uint64_t counter_ = 0;
};

// An id a client (or an upstream proxy such as the brain) sent that we may adopt for tracing:
// 1..64 characters of [A-Za-z0-9._:-], so it is safe to echo in a header and a log line.
bool acceptable_client_request_id(std::string_view id) noexcept;

}  // namespace zcache::http
