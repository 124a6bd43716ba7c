// zcache/http_semantics.h — the HTTP caching vocabulary shared by the worker, the brain's data
// path and the SDKs' middleware: Cache-Control directives (RFC 9111, RFC 5861) and the
// Cache-Status response header (RFC 9211). Pure functions: no I/O, no allocation beyond results.
#pragma once

#include <zcache/cache.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zcache::http_semantics {

// The directives of a Cache-Control header that a shared cache acts on. Durations in seconds.
struct CacheControl {
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> s_maxage;
  std::optional<std::int64_t> stale_while_revalidate;
  std::optional<std::int64_t> stale_if_error;
  bool no_store = false;
  bool no_cache = false;
  bool is_private = false;
  bool must_revalidate = false;

  // The freshness lifetime for a shared cache: s-maxage, else max-age.
  std::optional<std::int64_t> shared_max_age() const noexcept { return s_maxage ? s_maxage : max_age; }
};

// Parses a Cache-Control field value (directives are case-insensitive; unknown ones and
// malformed values are ignored, as RFC 9111 §5.2 asks; a negative or overflowing delta-seconds
// is treated as 0 / as the maximum).
CacheControl parse_cache_control(std::string_view value);

// RFC 9211 Cache-Status for one response of ours, e.g. "zcache; hit; detail=memory",
// "zcache; fwd=stale", "zcache; fwd=miss; stored", "zcache; fwd=bypass; detail=method".
struct CacheStatus {
  enum class Kind { Hit, Stale, Miss, Bypass };
  Kind kind = Kind::Miss;
  bool stored = false;       // Miss: the response was stored
  std::string detail;        // optional detail token ("memory", "disk", "method", ...)
  std::optional<std::int64_t> ttl_seconds;  // remaining freshness, when known
};
std::string format_cache_status(std::string_view cache_name, const CacheStatus& status);

}  // namespace zcache::http_semantics
