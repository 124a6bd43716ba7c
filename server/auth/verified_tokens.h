// auth/verified_tokens.h — remembers tokens that passed verification, so a server that sees the
// same bearer token on every request (the brain's calls to a worker, an SDK's calls to the brain)
// pays for base64, JSON and HMAC once per token instead of once per request.
//
// A remembered token is accepted until its own `exp`; anything not remembered goes through
// authenticate_bearer. Bounded (it forgets everything when full: tokens are few and long-lived).
// Not thread-safe: one per event loop.
#pragma once

#include "auth/bearer.h"

#include <string>
#include <unordered_map>

namespace zcache::auth {

class VerifiedTokens {
 public:
  explicit VerifiedTokens(std::string secret, std::size_t capacity = 1024)
      : secret_(std::move(secret)), capacity_(capacity) {}

  // authenticate_bearer, answered from memory for a token already verified and not yet expired.
  VerifyResult authenticate(std::string_view authorization_header, std::int64_t now_s);

 private:
  std::string secret_;
  std::size_t capacity_;
  std::unordered_map<std::string, TokenClaims> verified_;
};

}  // namespace zcache::auth
