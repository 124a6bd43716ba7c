#include "auth/verified_tokens.h"

namespace zcache::auth {

VerifyResult VerifiedTokens::authenticate(std::string_view authorization_header, std::int64_t now_s) {
  const BearerResult bearer = parse_bearer(authorization_header);
  if (bearer.ok()) {
    auto it = verified_.find(std::string(bearer.token));
    if (it != verified_.end()) {
      if (now_s < it->second.exp) return VerifyResult{VerifyError::None, {}, it->second};
      verified_.erase(it);  // expired: verify again, which reports why
    }
  }
  VerifyResult r = authenticate_bearer(authorization_header, secret_, now_s);
  if (r.ok()) {
    if (verified_.size() >= capacity_) verified_.clear();
    verified_.emplace(std::string(bearer.token), r.claims);
  }
  return r;
}

}  // namespace zcache::auth
