#include "cli/values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace zcache::cli {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Splits "1.5GiB" into the number and the unit.
bool split_number(std::string_view text, double& number, std::string& unit) {
  std::size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return false;
  const std::string digits(text.substr(0, i));
  char* end = nullptr;
  number = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size() || !std::isfinite(number)) return false;
  unit = lower(text.substr(i));
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  return true;
}

}  // namespace

Parsed<std::uint64_t> parse_bytes(std::string_view text) {
  double n;
  std::string unit;
  if (!split_number(text, n, unit)) return Problem{quoted(text) + " is not a size (examples: 1048576, 512MiB, 10GB)"};
  struct Unit {
    const char* name;
    double factor;
  };
  static constexpr Unit units[] = {{"", 1},       {"b", 1},         {"kb", 1e3},          {"mb", 1e6},
                                   {"gb", 1e9},   {"tb", 1e12},     {"kib", 1024.0},      {"mib", 1048576.0},
                                   {"gib", 1073741824.0}, {"tib", 1099511627776.0}, {"k", 1024.0},
                                   {"m", 1048576.0}, {"g", 1073741824.0}};
  for (const auto& u : units) {
    if (unit != u.name) continue;
    const double bytes = std::floor(n * u.factor);
    if (bytes < 1) return Problem{quoted(text) + " must be at least 1 byte"};
    if (bytes >= 9.2e18) return Problem{quoted(text) + " is too large"};
    return static_cast<std::uint64_t>(bytes);
  }
  return Problem{quoted(text) + " has an unknown unit (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)"};
}

Parsed<std::int64_t> parse_duration_ms(std::string_view text) {
  double n;
  std::string unit;
  if (!split_number(text, n, unit)) return Problem{quoted(text) + " is not a duration (examples: 30, 30s, 500ms, 5m, 1h)"};
  double factor;
  if (unit.empty() || unit == "s") factor = 1000;
  else if (unit == "ms") factor = 1;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  else return Problem{quoted(text) + " has an unknown unit (use ms, s, m, h or d)"};
  const double ms = n * factor;
  if (ms > 1e15) return Problem{quoted(text) + " is too long"};
  return static_cast<std::int64_t>(ms);
}

Parsed<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value > 65535)
    return Problem{quoted(text) + " is not a port number (0-65535)"};
  return static_cast<std::uint16_t>(value);
}

Parsed<HostPort> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return Problem{quoted(text) + " is not HOST:PORT (example: 127.0.0.1:9001)"};
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return Problem{quoted(text) + " has a malformed IPv6 address"};
    host = host.substr(1, host.size() - 2);
  }
  auto port = parse_port(text.substr(colon + 1));
  if (auto* err = std::get_if<Problem>(&port)) return *err;
  return HostPort{std::string(host), std::get<std::uint16_t>(port)};
}

Parsed<std::string> parse_http_url(std::string_view text) {
  std::string_view rest;
  if (text.starts_with("http://")) rest = text.substr(7);
  else if (text.starts_with("https://")) rest = text.substr(8);
  else return Problem{quoted(text) + " is not an http:// or https:// URL"};
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.front() == ':') return Problem{quoted(text) + " has no host"};
  if (authority.find('@') != std::string_view::npos) return Problem{quoted(text) + " must not contain user information"};
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.back() != ']') {
    auto port = parse_port(authority.substr(colon + 1));
    if (std::holds_alternative<Problem>(port) || std::get<std::uint16_t>(port) == 0)
      return Problem{quoted(text) + " has an invalid port"};
  }
  std::string url(text);
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return url;
}

Parsed<bool> parse_bool(std::string_view text) {
  const std::string v = lower(text);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return Problem{quoted(text) + " is not a boolean (true/false)"};
}

Parsed<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 1)
    return Problem{quoted(text) + " is not a whole number of at least 1"};
  return value;
}

}  // namespace zcache::cli
