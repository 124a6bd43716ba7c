#include "auth/jwt.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "auth/hmac_sha256.h"

namespace zcache::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kHeaderJson = R"({"alg":"HS256","typ":"JWT"})";

std::string sign(std::string_view secret, std::string_view signing_input) {
  Sha256Digest mac{};
  if (!hmac_sha256(secret, signing_input, mac)) throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

VerifyResult fail(VerifyError error, std::string message) {
  VerifyResult r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

// Parses JSON without exceptions; a discarded value means "not JSON". Depth is bounded by the
// 8 KiB size limit, so nlohmann's recursive parser cannot overflow the stack.
json parse_json(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// A NumericDate claim: an integer, or a finite decimal (floored) within int64 range.
enum class NumericStatus { Ok, NotANumber, OutOfRange };
NumericStatus read_numeric_date(const json& value, std::int64_t& out) {
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    out = value.get<std::int64_t>();
    return NumericStatus::Ok;
  }
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return NumericStatus::OutOfRange;
    out = static_cast<std::int64_t>(u);
    return NumericStatus::Ok;
  }
  if (value.is_number_float()) {
    const double d = std::floor(value.get<double>());
    // 2^63 is exactly representable; anything >= it does not fit.
    if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) return NumericStatus::OutOfRange;
    out = static_cast<std::int64_t>(d);
    return NumericStatus::Ok;
  }
  return NumericStatus::NotANumber;
}

// Reads an optional NumericDate claim; returns an error result or nullopt on success.
std::optional<VerifyResult> read_optional_date(const json& payload, const char* name, std::optional<std::int64_t>& out) {
  const auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  std::int64_t v = 0;
  switch (read_numeric_date(*it, v)) {
    case NumericStatus::Ok: out = v; return std::nullopt;
    case NumericStatus::NotANumber:
      return fail(VerifyError::InvalidClaim, std::string("claim '") + name + "' must be a number (seconds since the epoch)");
    case NumericStatus::OutOfRange:
      return fail(VerifyError::InvalidClaim, std::string("claim '") + name + "' is out of range");
  }
  return std::nullopt;
}

// a + b clamped to the int64 range (exp + leeway must not overflow on hostile exp values).
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  return r;
}

VerifyResult verify_unchecked(std::string_view token, std::string_view secret, std::int64_t now, std::int64_t leeway) {
  if (secret.empty()) return fail(VerifyError::NoSecret, "the server has no secret configured");
  if (token.size() > kMaxTokenBytes) {
    return fail(VerifyError::TooLarge, "token is " + std::to_string(token.size()) + " bytes; the limit is " +
                                           std::to_string(kMaxTokenBytes));
  }
  if (token.empty()) return fail(VerifyError::Malformed, "token is empty");

  // Compact serialization: exactly three base64url parts separated by two dots.
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? std::string_view::npos : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(VerifyError::Malformed, "token must have three dot-separated parts (header.payload.signature)");
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  const auto header_text = base64url_decode(header_b64);
  if (!header_text || header_text->empty()) return fail(VerifyError::Malformed, "token header is not base64url");
  const json header = parse_json(*header_text);
  if (header.is_discarded()) return fail(VerifyError::Malformed, "token header is not JSON");
  if (!header.is_object()) return fail(VerifyError::Malformed, "token header is not a JSON object");

  // The algorithm is fixed by the server, never chosen by the token: refuse anything else up front.
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) {
    return fail(VerifyError::UnsupportedAlgorithm, "token header has no 'alg'; only HS256 is accepted");
  }
  if (alg->get_ref<const std::string&>() != "HS256") {
    std::string shown = alg->get<std::string>().substr(0, 32);
    for (char& c : shown) if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) c = '?';
    return fail(VerifyError::UnsupportedAlgorithm, "token algorithm '" + shown + "' is not accepted; only HS256 is");
  }
  if (header.contains("crit")) {
    return fail(VerifyError::UnsupportedAlgorithm, "token header has 'crit' extensions, which are not supported");
  }

  const auto payload_text = base64url_decode(payload_b64);
  if (!payload_text) return fail(VerifyError::Malformed, "token payload is not base64url");
  const auto signature = base64url_decode(signature_b64);
  if (!signature) return fail(VerifyError::Malformed, "token signature is not base64url");

  Sha256Digest expected{};
  if (!hmac_sha256(secret, token.substr(0, dot2), expected)) {
    return fail(VerifyError::BadSignature, "could not compute the signature");
  }
  if (!constant_time_equal(*signature, std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()))) {
    return fail(VerifyError::BadSignature, "token signature does not match");
  }

  // Only now, with the signature checked, is the payload worth parsing.
  const json payload = parse_json(*payload_text);
  if (payload.is_discarded()) return fail(VerifyError::Malformed, "token payload is not JSON");
  if (!payload.is_object()) return fail(VerifyError::Malformed, "token payload is not a JSON object");

  VerifyResult result;
  if (const auto sub = payload.find("sub"); sub != payload.end()) {
    if (!sub->is_string()) return fail(VerifyError::InvalidClaim, "claim 'sub' must be a string");
    result.claims.sub = sub->get<std::string>();
  }
  std::optional<std::int64_t> exp;
  if (auto err = read_optional_date(payload, "exp", exp)) return *err;
  if (!exp) return fail(VerifyError::MissingClaim, "token has no 'exp' claim; tokens must expire");
  if (auto err = read_optional_date(payload, "nbf", result.claims.nbf)) return *err;
  if (auto err = read_optional_date(payload, "iat", result.claims.iat)) return *err;
  result.claims.exp = *exp;

  if (now >= saturating_add(*exp, leeway)) {
    return fail(VerifyError::Expired, "token expired at " + std::to_string(*exp) + " (now " + std::to_string(now) + ")");
  }
  if (result.claims.nbf && now < saturating_add(*result.claims.nbf, -leeway)) {
    return fail(VerifyError::NotYetValid,
                "token is not valid before " + std::to_string(*result.claims.nbf) + " (now " + std::to_string(now) + ")");
  }
  return result;
}

}  // namespace

std::string_view verify_error_name(VerifyError error) noexcept {
  switch (error) {
    case VerifyError::None: return "none";
    case VerifyError::TooLarge: return "too_large";
    case VerifyError::Malformed: return "malformed";
    case VerifyError::UnsupportedAlgorithm: return "unsupported_algorithm";
    case VerifyError::BadSignature: return "bad_signature";
    case VerifyError::MissingClaim: return "missing_claim";
    case VerifyError::InvalidClaim: return "invalid_claim";
    case VerifyError::Expired: return "expired";
    case VerifyError::NotYetValid: return "not_yet_valid";
    case VerifyError::NoSecret: return "no_secret";
    case VerifyError::MissingToken: return "missing_token";
  }
  return "unknown";
}

std::string mint_token(std::string_view secret, const MintOptions& options) {
  if (secret.empty()) throw std::invalid_argument("mint_token: the secret is empty");
  if (options.ttl_seconds <= 0) throw std::invalid_argument("mint_token: ttl_seconds must be positive");
  std::int64_t exp = 0;
  if (__builtin_add_overflow(options.now, options.ttl_seconds, &exp)) {
    throw std::invalid_argument("mint_token: now + ttl_seconds overflows");
  }
  json payload = {{"sub", options.sub}, {"iat", options.now}, {"exp", exp}};
  if (options.nbf) payload["nbf"] = *options.nbf;

  std::string token = base64url_encode(kHeaderJson);
  token += '.';
  // dump() with replace-on-invalid-UTF-8 so a bad `sub` cannot throw out of here.
  token += base64url_encode(payload.dump(-1, ' ', false, json::error_handler_t::replace));
  const std::string mac = sign(secret, token);
  token += '.';
  token += base64url_encode(mac);
  return token;
}

VerifyResult verify_token(std::string_view token, std::string_view secret, std::int64_t now,
                          std::int64_t leeway_seconds) noexcept {
  try {
    return verify_unchecked(token, secret, now, leeway_seconds < 0 ? 0 : leeway_seconds);
  } catch (...) {
    // Only std::bad_alloc can get here (the parser runs without exceptions); an empty message
    // needs no allocation.
    VerifyResult r;
    r.error = VerifyError::Malformed;
    return r;
  }
}

}  // namespace zcache::auth
