#include "auth/verified_tokens.h"

#include <gtest/gtest.h>

namespace zcache::auth {
namespace {

std::string bearer(std::string_view secret, std::int64_t now, std::int64_t ttl) {
  MintOptions m;
  m.sub = "t";
  m.now = now;
  m.ttl_seconds = ttl;
  return "Bearer " + mint_token(secret, m);
}

TEST(VerifiedTokens, RemembersAGoodTokenUntilItExpires) {
  VerifiedTokens tokens("s");
  const std::int64_t now = 1'800'000'000;
  const std::string good = bearer("s", now, 60);
  EXPECT_TRUE(tokens.authenticate(good, now).ok());
  EXPECT_TRUE(tokens.authenticate(good, now + 59).ok());
  const VerifyResult expired = tokens.authenticate(good, now + 60);
  EXPECT_EQ(expired.error, VerifyError::Expired);
}

TEST(VerifiedTokens, NeverRemembersABadOne) {
  VerifiedTokens tokens("s", 2);
  const std::int64_t now = 1'800'000'000;
  const std::string forged = bearer("other", now, 60);
  EXPECT_EQ(tokens.authenticate(forged, now).error, VerifyError::BadSignature);
  EXPECT_EQ(tokens.authenticate(forged, now).error, VerifyError::BadSignature);
  EXPECT_EQ(tokens.authenticate("", now).error, VerifyError::MissingToken);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(tokens.authenticate(bearer("s", now + i, 60), now + i).ok());  // past capacity
}

}  // namespace
}  // namespace zcache::auth
