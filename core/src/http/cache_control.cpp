#include <zcache/http_semantics.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace zcache::http_semantics {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// delta-seconds (RFC 9111 §1.2.2): digits only; overflow saturates at 2^31 - 1, as the RFC allows.
std::optional<std::int64_t> delta_seconds(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec == std::errc::result_out_of_range || n > std::numeric_limits<std::int32_t>::max())
    return std::numeric_limits<std::int32_t>::max();
  return n;
}

}  // namespace

CacheControl parse_cache_control(std::string_view value) {
  CacheControl cc;
  while (!value.empty()) {
    // Split at the next comma that is not inside a quoted string.
    std::size_t end = 0;
    bool quoted = false;
    for (; end < value.size(); ++end) {
      if (value[end] == '"') quoted = !quoted;
      else if (value[end] == ',' && !quoted) break;
    }
    std::string_view directive = trim(value.substr(0, end));
    value = end < value.size() ? value.substr(end + 1) : std::string_view{};
    std::string_view name = directive, arg;
    if (auto eq = directive.find('='); eq != std::string_view::npos) {
      name = trim(directive.substr(0, eq));
      arg = trim(directive.substr(eq + 1));
    }
    if (iequals(name, "max-age")) cc.max_age = delta_seconds(arg);
    else if (iequals(name, "s-maxage")) cc.s_maxage = delta_seconds(arg);
    else if (iequals(name, "stale-while-revalidate")) cc.stale_while_revalidate = delta_seconds(arg);
    else if (iequals(name, "stale-if-error")) cc.stale_if_error = delta_seconds(arg);
    else if (iequals(name, "no-store")) cc.no_store = true;
    else if (iequals(name, "no-cache")) cc.no_cache = true;
    else if (iequals(name, "private")) cc.is_private = true;
    else if (iequals(name, "must-revalidate") || iequals(name, "proxy-revalidate")) cc.must_revalidate = true;
  }
  return cc;
}

std::string format_cache_status(std::string_view cache_name, const CacheStatus& s) {
  std::string out(cache_name);
  switch (s.kind) {
    case CacheStatus::Kind::Hit: out += "; hit"; break;
    case CacheStatus::Kind::Stale: out += "; fwd=stale"; break;
    case CacheStatus::Kind::Miss: out += "; fwd=miss"; break;
    case CacheStatus::Kind::Bypass: out += "; fwd=bypass"; break;
  }
  if (s.stored) out += "; stored";
  if (s.ttl_seconds) out += "; ttl=" + std::to_string(*s.ttl_seconds);
  if (!s.detail.empty()) out += "; detail=" + s.detail;
  return out;
}

}  // namespace zcache::http_semantics
