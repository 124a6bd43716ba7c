#include "brain/store/node_registration.h"

#include <arpa/inet.h>

#include <limits>

#include <nlohmann/json.hpp>

namespace zcache::brain {
namespace {

template <typename T>
Checked<T> refuse(const char* field, std::string message) {
  Checked<T> c;
  c.error = FieldError{field, std::move(message)};
  return c;
}

template <typename T>
Checked<T> accept(T value) {
  Checked<T> c;
  c.value = std::move(value);
  return c;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A DNS name (letters, digits, '-', '_' in labels of 1..63, ≤ 253 total), or a valid dotted IPv4
// address when every label is numeric ("999.1.1.1" is neither).
std::optional<std::string> host_error(std::string_view host) {
  if (host.size() > 253) return "host is longer than 253 characters";
  bool all_numeric = true;
  std::size_t start = 0;
  while (true) {
    const auto dot = host.find('.', start);
    const std::string_view label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return "host has an empty label";
    if (label.size() > 63) return "host has a label longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "host labels must not start or end with '-'";
    for (char c : label) {
      if (!is_alnum(c) && c != '-' && c != '_') return "host contains '" + std::string(1, c) + "'";
      if (!is_digit(c)) all_numeric = false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (all_numeric) {
    in_addr addr{};
    if (inet_pton(AF_INET, std::string(host).c_str(), &addr) != 1) return "host is not a valid IPv4 address";
  }
  return std::nullopt;
}

}  // namespace

nlohmann::json FieldError::to_json() const { return {{"field", field}, {"message", message}}; }

Checked<std::string> canonical_endpoint(std::string_view url) {
  constexpr const char* kField = "endpoint";
  if (url.empty()) return refuse<std::string>(kField, "must not be empty");
  if (url.size() > kMaxEndpointLength) {
    return refuse<std::string>(kField, "must be at most " + std::to_string(kMaxEndpointLength) + " characters");
  }
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return refuse<std::string>(kField, "must not contain spaces, control or non-ASCII characters");
    if (c == '\\') return refuse<std::string>(kField, "must not contain '\\'");
  }
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return refuse<std::string>(kField, "must be an http:// or https:// URL");
  const std::string scheme = lowered(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    return refuse<std::string>(kField, "scheme must be http or https, not '" + scheme.substr(0, 16) + "'");
  }
  const std::string_view rest = url.substr(sep + 3);
  const auto authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return refuse<std::string>(kField, "must not have a query or fragment");
  }
  if (authority.find('@') != std::string_view::npos) {
    return refuse<std::string>(kField, "must not contain user credentials ('user@host')");
  }

  std::string_view host, port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return refuse<std::string>(kField, "has an unterminated IPv6 address ('[')");
    host = authority.substr(0, close + 1);
    const std::string inner(authority.substr(1, close - 1));
    in6_addr addr{};
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1) {
      return refuse<std::string>(kField, "host is not a valid IPv6 address");
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return refuse<std::string>(kField, "has characters after the IPv6 address");
      has_port = true;
      port = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port = authority.substr(colon + 1);
      if (port.find(':') != std::string_view::npos) {
        return refuse<std::string>(kField, "has more than one ':' in host:port (IPv6 addresses need brackets)");
      }
    }
    if (host.empty()) return refuse<std::string>(kField, "must have a host");
    if (auto err = host_error(host)) return refuse<std::string>(kField, *err);
  }

  std::string canonical = scheme + "://" + lowered(host);
  if (has_port) {
    if (port.empty()) return refuse<std::string>(kField, "has ':' but no port");
    std::uint32_t value = 0;
    for (char c : port) {
      if (!is_digit(c)) return refuse<std::string>(kField, "port must be a number");
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
      if (value > 65535) return refuse<std::string>(kField, "port must be 1..65535");
    }
    if (value == 0) return refuse<std::string>(kField, "port must be 1..65535");
    canonical += ":" + std::to_string(value);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  canonical += path;
  return accept(std::move(canonical));
}

Checked<std::string> checked_region(std::string_view region) {
  constexpr const char* kField = "region";
  if (region.empty()) return refuse<std::string>(kField, "must not be empty");
  if (region.size() > kMaxRegionLength) {
    return refuse<std::string>(kField, "must be at most " + std::to_string(kMaxRegionLength) + " characters");
  }
  for (char c : region) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return refuse<std::string>(kField, "must be printable ASCII");
  }
  if (region.front() == ' ' || region.back() == ' ') {
    return refuse<std::string>(kField, "must not start or end with a space");
  }
  return accept(std::string(region));
}

Checked<std::int64_t> checked_capacity(const nlohmann::json& value) {
  constexpr const char* kField = "capacity_bytes";
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v == 0) return refuse<std::int64_t>(kField, "must be a positive integer, not 0");
    if (v > kMax) return refuse<std::int64_t>(kField, "must be at most 9223372036854775807");
    return accept(static_cast<std::int64_t>(v));
  }
  if (value.is_number_integer()) {  // signed: only negatives and zero reach here as non-unsigned
    const auto v = value.get<std::int64_t>();
    if (v <= 0) return refuse<std::int64_t>(kField, "must be a positive integer");
    return accept(v);
  }
  if (value.is_number_float()) {
    // nlohmann parses integers beyond 2^64-1 as floats too.
    return refuse<std::int64_t>(kField, "must be an integer number of bytes (at most 9223372036854775807), not a decimal");
  }
  if (value.is_string()) return refuse<std::int64_t>(kField, "must be a JSON number, not a string");
  if (value.is_null()) return refuse<std::int64_t>(kField, "is required");
  return refuse<std::int64_t>(kField, std::string("must be a positive integer, not ") + value.type_name());
}

Checked<NodeRegistration> parse_registration(const nlohmann::json& body) {
  if (!body.is_object()) return refuse<NodeRegistration>("body", "must be a JSON object");
  NodeRegistration reg;

  const auto endpoint = body.find("endpoint");
  if (endpoint == body.end() || endpoint->is_null()) return refuse<NodeRegistration>("endpoint", "is required");
  if (!endpoint->is_string()) return refuse<NodeRegistration>("endpoint", "must be a string");
  auto ep = canonical_endpoint(endpoint->get_ref<const std::string&>());
  if (!ep.ok()) return refuse<NodeRegistration>("endpoint", ep.error.message);
  reg.endpoint = std::move(*ep.value);

  const auto region = body.find("region");
  if (region == body.end() || region->is_null()) return refuse<NodeRegistration>("region", "is required");
  if (!region->is_string()) return refuse<NodeRegistration>("region", "must be a string");
  auto rg = checked_region(region->get_ref<const std::string&>());
  if (!rg.ok()) return refuse<NodeRegistration>("region", rg.error.message);
  reg.region = std::move(*rg.value);

  const auto capacity = body.find("capacity_bytes");
  if (capacity == body.end()) return refuse<NodeRegistration>("capacity_bytes", "is required");
  auto cap = checked_capacity(*capacity);
  if (!cap.ok()) return refuse<NodeRegistration>("capacity_bytes", cap.error.message);
  reg.capacity_bytes = *cap.value;

  return accept(std::move(reg));
}

}  // namespace zcache::brain
