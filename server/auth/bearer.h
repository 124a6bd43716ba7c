// auth/bearer.h — the `Authorization: Bearer <token>` header (RFC 6750 §2.1, RFC 9110 §11).
//
// Rules: surrounding spaces/tabs of the field value are ignored (they are not part of it); the scheme
// "Bearer" is case-insensitive; exactly one space separates it from the token; the token is token68
// characters (A-Z a-z 0-9 - . _ ~ + / then optional trailing '='). Anything else is refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/jwt.h"

namespace zcache::auth {

enum class BearerError {
  None,
  Missing,      // no header, or an empty / all-whitespace value
  WrongScheme,  // e.g. "Basic ..." or "Token ..."
  Malformed,    // not "Bearer" + one space + token68
};

struct BearerResult {
  BearerError error = BearerError::None;
  std::string message;
  std::string_view token;  // a view into the header value passed in; valid while it lives
  bool ok() const noexcept { return error == BearerError::None; }
};

// Extracts the token from an Authorization header value. Never throws.
BearerResult parse_bearer(std::string_view header_value) noexcept;

// parse_bearer + verify_token in one call, for the HTTP layer: an absent/empty header comes back as
// VerifyError::MissingToken, a malformed one (or another scheme) as VerifyError::Malformed, each
// with parse_bearer's message. Every failure is a 401.
// Pass "" when the request has no Authorization header.
VerifyResult authenticate_bearer(std::string_view authorization_header, std::string_view secret,
                                 std::int64_t now, std::int64_t leeway_seconds = 0) noexcept;

}  // namespace zcache::auth
