#include "url.h"

namespace zcache::http {

namespace {
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space, bool reject_nul) {
  out.clear();
  // Fast path: nothing to decode (the common case for API paths).
  if (in.find('%') == std::string_view::npos &&
      (!plus_is_space || in.find('+') == std::string_view::npos)) {
    out.assign(in);
    return true;
  }
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;  // fewer than two hex digits follow
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char decoded = char((hi << 4) | lo);
      if (decoded == '\0' && reject_nul) return false;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

QueryParams parse_query(std::string_view query) {
  QueryParams params;
  std::string key, value;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view raw_key = pair.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!percent_decode(raw_key, key, true)) key.assign(raw_key);
    if (!percent_decode(raw_value, value, true)) value.assign(raw_value);
    params.emplace_back(std::move(key), std::move(value));
  }
  return params;
}

}  // namespace zcache::http
