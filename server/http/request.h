// request.h — one parsed HTTP request as handed to a handler.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "headers.h"
#include "url.h"

namespace zcache::http {

struct Request {
  std::string_view method;  // "GET", "POST", ... (static storage owned by http_parser)
  std::string target;       // the request-target exactly as sent: "/a%20b?x=1"
  std::string path;         // percent-decoded path: "/a b" (never contains NUL)
  std::string query;        // raw query without '?': "x=1" (empty when absent)
  QueryParams params;       // decoded query parameters in order
  Headers headers;          // as received; repeated fields kept
  std::string body;         // de-chunked body
  std::string request_id;   // short hex id (or the client's sane X-Request-Id), echoed as X-Request-Id
  std::string remote_address;  // "ip:port" of the peer
  unsigned short http_major = 1, http_minor = 1;
  bool keep_alive = true;   // the client allows another request on this connection
  uint64_t received_ns = 0; // uv_hrtime() when the first byte of the request was parsed

  // The undecoded path part of `target` (what to use when "%2F" must not become a separator).
  std::string_view raw_path() const noexcept {
    return std::string_view(target).substr(raw_path_offset, raw_path_length);
  }
  // The first value of query parameter `key`, or null.
  const std::string* param(std::string_view key) const noexcept {
    for (const auto& kv : params)
      if (kv.first == key) return &kv.second;
    return nullptr;
  }
  std::string_view header(std::string_view name) const noexcept { return headers.get(name); }
  bool is_head() const noexcept { return method == "HEAD"; }

  // Set by the parser; see raw_path().
  size_t raw_path_offset = 0, raw_path_length = 0;
};

}  // namespace zcache::http
