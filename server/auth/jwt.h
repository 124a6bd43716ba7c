// auth/jwt.h — HS256 JSON Web Tokens (RFC 7519 / RFC 7515 compact form) for the brain's API.
//
// Pure functions: no clock, no I/O, no globals. Callers pass `now` (Unix seconds, the JWT NumericDate
// unit). verify_token() never throws and never reads past its input; it is safe to feed it anything a
// client sends.
//
// Policy (decided here, so every caller gets the same rules):
//  - Only HS256. The header's `alg` is checked before the signature, so `none`, `HS384`, `RS256`, ...
//    are refused without being considered (no algorithm confusion). A `crit` header is refused
//    (RFC 7515 §4.1.11: we understand no extensions).
//  - `exp` is required: a token without one would be valid forever.
//  - `exp`/`nbf`/`iat`, when present, must be JSON numbers (integers or finite decimals, floored).
//  - `sub`, when present, must be a string.
//  - Tokens larger than kMaxTokenBytes are refused before any parsing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zcache::auth {

inline constexpr std::size_t kMaxTokenBytes = 8 * 1024;

// What mint_token() puts in a token.
struct MintOptions {
  std::string sub;                    // subject, e.g. "admin"; may be empty
  std::int64_t ttl_seconds = 3600;    // must be > 0; exp = now + ttl
  std::int64_t now = 0;               // Unix seconds; becomes `iat`
  std::optional<std::int64_t> nbf;    // not-before, Unix seconds
};

// Builds an HS256 compact JWT: base64url(header).base64url(payload).base64url(HMAC-SHA256).
// Throws std::invalid_argument for an empty secret, ttl_seconds <= 0, or now + ttl overflowing.
std::string mint_token(std::string_view secret, const MintOptions& options);

// The claims of a verified token.
struct TokenClaims {
  std::string sub;                    // "" when absent
  std::int64_t exp = 0;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> iat;
};

enum class VerifyError {
  None,
  TooLarge,              // over kMaxTokenBytes
  Malformed,             // not three parts, bad base64url, bad JSON, header/payload not an object
  UnsupportedAlgorithm,  // alg missing, not a string, or anything but HS256; or a `crit` header
  BadSignature,          // HMAC mismatch (or a signature of the wrong length)
  MissingClaim,          // no `exp`
  InvalidClaim,          // exp/nbf/iat not a number or out of range, sub not a string
  Expired,               // now >= exp + leeway
  NotYetValid,           // now < nbf - leeway
  NoSecret,              // the server was given an empty secret: refuse everything
  MissingToken,          // authenticate_bearer(): no Authorization header (or an empty one)
};

// Stable lower-case name of an error ("expired", "bad_signature", ...), for logs and tests.
std::string_view verify_error_name(VerifyError error) noexcept;

struct VerifyResult {
  VerifyError error = VerifyError::None;
  std::string message;   // human-readable, says what is wrong; never contains the token or secret
  TokenClaims claims;    // meaningful only when ok()
  bool ok() const noexcept { return error == VerifyError::None; }
};

// Verifies an HS256 token against `secret` at time `now` (Unix seconds). `leeway_seconds` (>= 0;
// negative is treated as 0) tolerates clock skew on exp and nbf. Never throws.
VerifyResult verify_token(std::string_view token, std::string_view secret, std::int64_t now,
                          std::int64_t leeway_seconds = 0) noexcept;

}  // namespace zcache::auth
