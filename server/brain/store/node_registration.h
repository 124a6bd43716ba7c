// brain/store/node_registration.h — validation of the body of POST /v1/cache/nodes/register.
//
// The HTTP layer parses the JSON and calls parse_registration(); on failure it answers 400 with the
// FieldError (which names the field). Rules, decided here once:
//  - endpoint: a string, ≤ 2048 chars, printable ASCII without spaces; scheme http or https
//    (any case); a host that is a DNS name (labels of letters, digits, '-', '_'), a dotted IPv4
//    address, or a bracketed IPv6 address; optional port 1..65535; optional path; no userinfo
//    ("user@"), no query, no fragment. Stored in canonical form: scheme and host lower-cased,
//    port without leading zeros, trailing '/' of the path removed — so "HTTPS://W1.example.com:9001/"
//    and "https://w1.example.com:9001" are the same node.
//  - region: a string, 1..64 chars, printable ASCII (0x20..0x7E), no leading/trailing space.
//  - capacity_bytes: a JSON integer 1..2^63-1. Floats (even 5.0 or 5e9), strings, booleans,
//    null, zero and negatives are refused.
//  - Unknown fields are ignored, so newer workers and SDKs can send more without breaking older
//    brains (a misspelt required field is still caught: it is then missing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace zcache::brain {

inline constexpr std::size_t kMaxEndpointLength = 2048;
inline constexpr std::size_t kMaxRegionLength = 64;

struct NodeRegistration {
  std::string endpoint;  // canonical
  std::string region;
  std::int64_t capacity_bytes = 0;
};

struct FieldError {
  std::string field;    // "endpoint", "region", "capacity_bytes", or "body" when it is not an object
  std::string message;  // e.g. "must be a positive integer"

  // {"field": "...", "message": "..."}
  nlohmann::json to_json() const;
  // "capacity_bytes: must be a positive integer" — ready for {"error": {"message": ...}}.
  std::string describe() const { return field + ": " + message; }
};

// A value or the reason it was refused.
template <typename T>
struct Checked {
  std::optional<T> value;
  FieldError error;  // meaningful when !ok()
  bool ok() const noexcept { return value.has_value(); }
};

Checked<NodeRegistration> parse_registration(const nlohmann::json& body);

// The single-field checks parse_registration() uses, for callers that have the fields separately
// (e.g. `zcache worker --advertise` and --region at start-up). Each returns the canonical value.
Checked<std::string> canonical_endpoint(std::string_view endpoint);
Checked<std::string> checked_region(std::string_view region);
Checked<std::int64_t> checked_capacity(const nlohmann::json& value);

}  // namespace zcache::brain
