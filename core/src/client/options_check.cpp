#include "client/options_check.h"

namespace zcache::client {

void check_base_url(std::string_view what, const std::string& url) {
  std::string_view rest;
  if (url.rfind("http://", 0) == 0) rest = std::string_view(url).substr(7);
  else if (url.rfind("https://", 0) == 0) rest = std::string_view(url).substr(8);
  else
    throw Error(ErrorKind::InvalidArgument,
                std::string(what) + " must start with http:// or https://, not '" + url + "'");
  if (rest.empty() || rest.front() == '/')
    throw Error(ErrorKind::InvalidArgument, std::string(what) + " has no host: '" + url + "'");
  // A query or fragment would end up in front of every API path.
  if (rest.find_first_of("?# \t\r\n") != std::string_view::npos)
    throw Error(ErrorKind::InvalidArgument, std::string(what) + " must not contain a query, fragment or space: '" + url + "'");
}

void check_options(const BrainClientOptions& o) {
  check_base_url("base_url", o.base_url);
  if (o.timeout_ms <= 0) throw Error(ErrorKind::InvalidArgument, "timeout_ms must be positive");
  if (o.retries < 0 || o.retries > 10) throw Error(ErrorKind::InvalidArgument, "retries must be in [0, 10]");
  if (o.backoff_base_ms < 0 || o.backoff_max_ms < o.backoff_base_ms)
    throw Error(ErrorKind::InvalidArgument, "backoff must satisfy 0 <= backoff_base_ms <= backoff_max_ms");
  if (o.breaker_threshold < 0) throw Error(ErrorKind::InvalidArgument, "breaker_threshold must not be negative");
  if (o.breaker_cooldown_ms < 0) throw Error(ErrorKind::InvalidArgument, "breaker_cooldown_ms must not be negative");
  for (char c : o.token)
    if (c == '\r' || c == '\n' || c == '\0')
      throw Error(ErrorKind::InvalidArgument, "token must not contain line breaks");
}

std::string trimmed_base_url(const std::string& url) {
  std::string s = url;
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace zcache::client
