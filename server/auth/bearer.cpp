#include "auth/bearer.h"

namespace zcache::auth {
namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

bool is_token68_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

BearerResult fail(BearerError error, const char* message) noexcept {
  BearerResult r;
  r.error = error;
  try {
    r.message = message;
  } catch (...) {
  }
  return r;
}

}  // namespace

BearerResult parse_bearer(std::string_view value) noexcept {
  while (!value.empty() && is_ows(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_ows(value.back())) value.remove_suffix(1);
  if (value.empty()) return fail(BearerError::Missing, "missing Authorization header; expected 'Bearer <token>'");

  const auto space = value.find(' ');
  const std::string_view scheme = value.substr(0, space);
  if (!iequals(scheme, "Bearer")) {
    return fail(BearerError::WrongScheme, "Authorization scheme must be 'Bearer'");
  }
  if (space == std::string_view::npos) return fail(BearerError::Malformed, "Authorization header has no token after 'Bearer'");
  std::string_view token = value.substr(space + 1);
  if (token.empty() || is_ows(token.front())) {
    return fail(BearerError::Malformed, "exactly one space must separate 'Bearer' from the token");
  }
  std::size_t i = 0;
  while (i < token.size() && is_token68_char(token[i])) ++i;
  while (i < token.size() && token[i] == '=') ++i;
  if (i != token.size()) return fail(BearerError::Malformed, "bearer token contains characters that are not allowed");

  BearerResult r;
  r.token = token;
  return r;
}

VerifyResult authenticate_bearer(std::string_view authorization_header, std::string_view secret, std::int64_t now,
                                 std::int64_t leeway_seconds) noexcept {
  BearerResult bearer = parse_bearer(authorization_header);
  if (!bearer.ok()) {
    VerifyResult r;
    r.error = bearer.error == BearerError::Missing ? VerifyError::MissingToken : VerifyError::Malformed;
    r.message = std::move(bearer.message);
    return r;
  }
  return verify_token(bearer.token, secret, now, leeway_seconds);
}

}  // namespace zcache::auth
