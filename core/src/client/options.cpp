// from_environment(): BrainClientOptions from ZCACHE_* / ZATABASE_* variables, overrides first.
#include <zcache/brain_client.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include "client/options_check.h"

namespace zcache {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Unset and empty are the same: an exported-but-empty variable keeps the default.
std::optional<std::string> non_empty(const std::function<std::optional<std::string>(std::string_view)>& lookup,
                                     std::string_view name) {
  std::optional<std::string> v = lookup(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

bool parse_bool(const std::string& name, const std::string& value) {
  const std::string v = lower(value);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  throw Error(ErrorKind::InvalidArgument, name + " must be true or false, not '" + value + "'");
}

// Seconds as the seed documents them ("10"); fractions allowed so tests and scripts can go below 1 s.
std::int64_t parse_seconds_ms(const std::string& name, const std::string& value) {
  char* end = nullptr;
  const double seconds = std::strtod(value.c_str(), &end);
  if (end == value.c_str() || *end != '\0' || !std::isfinite(seconds) || seconds <= 0 || seconds > 86'400)
    throw Error(ErrorKind::InvalidArgument,
                name + " must be a number of seconds in (0, 86400], not '" + value + "'");
  const auto ms = static_cast<std::int64_t>(std::llround(seconds * 1000));
  return ms < 1 ? 1 : ms;
}

}  // namespace

BrainClientOptions from_environment(const BrainClientOverrides& overrides,
                                    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  BrainClientOptions o;
  if (overrides.base_url) {
    o.base_url = *overrides.base_url;
  } else if (auto v = non_empty(lookup, "ZATABASE_URL")) {  // the SDKs' own, paired with ZATABASE_TOKEN
    client::check_base_url("ZATABASE_URL", *v);
    o.base_url = *v;
  } else if (auto z = non_empty(lookup, "ZCACHE_BRAIN_URL")) {  // the platform's (seed 000)
    client::check_base_url("ZCACHE_BRAIN_URL", *z);
    o.base_url = *z;
  }
  client::check_base_url("base_url", o.base_url);

  if (overrides.token) o.token = *overrides.token;
  else if (auto v = non_empty(lookup, "ZATABASE_TOKEN")) o.token = *v;

  if (overrides.timeout_ms) o.timeout_ms = *overrides.timeout_ms;
  else if (auto v = non_empty(lookup, "ZCACHE_TIMEOUT")) o.timeout_ms = parse_seconds_ms("ZCACHE_TIMEOUT", *v);

  if (overrides.enabled) o.enabled = *overrides.enabled;
  else if (auto v = non_empty(lookup, "ZCACHE_ENABLED")) o.enabled = parse_bool("ZCACHE_ENABLED", *v);

  client::check_options(o);
  return o;
}

BrainClientOptions from_environment(const BrainClientOverrides& overrides) {
  return from_environment(overrides, [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  });
}

}  // namespace zcache
