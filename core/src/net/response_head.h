// response_head.h — gathers a response's header fields from the lines libcurl hands over.
//
// Protocol only (no I/O), so it can be tested and fuzzed on its own. libcurl delivers every header
// line of every response it reads for one request: interim 1xx responses and the final one, each
// starting with its status line. A status line therefore starts over, and what is left at the end
// belongs to the final response. Limits: at most kMaxHeaderBytes and kMaxHeaderFields in total.
#pragma once

#include <zcache/http_client.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zcache::net {

class ResponseHead {
 public:
  static constexpr std::size_t kMaxHeaderBytes = 256 * 1024;
  static constexpr std::size_t kMaxHeaderFields = 500;

  // One line as libcurl passes it (CRLF included or not). False when a limit is passed: the
  // response must then be refused.
  bool feed(std::string_view line);
  // The final response's fields (moves them out).
  HttpHeaders take() { return HttpHeaders(std::move(fields_)); }
  void reset() noexcept;

 private:
  std::vector<HttpHeaders::Field> fields_;
  std::size_t bytes_ = 0;  // over every response of the request, so 1xx floods are bounded too
};

}  // namespace zcache::net
