// Tests for auth/bearer.h: the Authorization header and authenticate_bearer().
#include <gtest/gtest.h>

#include "auth/bearer.h"
#include "auth/jwt.h"

namespace zcache::auth {
namespace {

constexpr std::string_view kSecret = "bearer-secret";
constexpr std::int64_t kNow = 1'772'798'400;

TEST(Bearer, ExtractsTheToken) {
  const BearerResult r = parse_bearer("Bearer abc.def.ghi");
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.token, "abc.def.ghi");
}

TEST(Bearer, SchemeIsCaseInsensitive) {
  for (const char* h : {"bearer t0k.e-n_", "BEARER t0k.e-n_", "BeArEr t0k.e-n_"}) {
    const BearerResult r = parse_bearer(h);
    ASSERT_TRUE(r.ok()) << h;
    EXPECT_EQ(r.token, "t0k.e-n_");
  }
}

TEST(Bearer, SurroundingWhitespaceIsNotPartOfTheValue) {
  const BearerResult r = parse_bearer(" \tBearer tok \t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.token, "tok");
}

TEST(Bearer, Token68CharactersAndPadding) {
  EXPECT_TRUE(parse_bearer("Bearer a-b.c_d~e+f/g==").ok());
  EXPECT_EQ(parse_bearer("Bearer a=b").error, BearerError::Malformed);  // '=' only at the end
}

TEST(Bearer, Missing) {
  EXPECT_EQ(parse_bearer("").error, BearerError::Missing);
  EXPECT_EQ(parse_bearer("   ").error, BearerError::Missing);
  EXPECT_FALSE(parse_bearer("").message.empty());
}

TEST(Bearer, WrongScheme) {
  EXPECT_EQ(parse_bearer("Basic dXNlcjpwYXNz").error, BearerError::WrongScheme);
  EXPECT_EQ(parse_bearer("Token abc").error, BearerError::WrongScheme);
  EXPECT_EQ(parse_bearer("Bearerabc").error, BearerError::WrongScheme);
  EXPECT_EQ(parse_bearer("abc.def.ghi").error, BearerError::WrongScheme);  // a bare token
  EXPECT_EQ(parse_bearer("Bearer\tabc").error, BearerError::WrongScheme);  // tab is not the separator
}

TEST(Bearer, Malformed) {
  EXPECT_EQ(parse_bearer("Bearer").error, BearerError::Malformed);
  EXPECT_EQ(parse_bearer("Bearer  abc").error, BearerError::Malformed);  // two spaces
  EXPECT_EQ(parse_bearer("Bearer abc def").error, BearerError::Malformed);
  EXPECT_EQ(parse_bearer("Bearer abc,def").error, BearerError::Malformed);
  EXPECT_EQ(parse_bearer(std::string_view("Bearer ab\0c", 11)).error, BearerError::Malformed);
  EXPECT_EQ(parse_bearer("Bearer \"abc\"").error, BearerError::Malformed);
  EXPECT_NE(parse_bearer("Bearer  abc").message.find("one space"), std::string::npos);
}

TEST(AuthenticateBearer, AcceptsAValidHeader) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 3600, .now = kNow, .nbf = {}});
  const VerifyResult r = authenticate_bearer("Bearer " + token, kSecret, kNow);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.claims.sub, "admin");
}

TEST(AuthenticateBearer, MapsEachFailure) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  EXPECT_EQ(authenticate_bearer("", kSecret, kNow).error, VerifyError::MissingToken);
  EXPECT_EQ(authenticate_bearer("Basic abc", kSecret, kNow).error, VerifyError::Malformed);
  EXPECT_EQ(authenticate_bearer("Bearer  " + token, kSecret, kNow).error, VerifyError::Malformed);
  EXPECT_EQ(authenticate_bearer("Bearer " + token, kSecret, kNow + 60).error, VerifyError::Expired);
  EXPECT_EQ(authenticate_bearer("Bearer " + token, "other", kNow).error, VerifyError::BadSignature);
  EXPECT_EQ(authenticate_bearer("Bearer x.y.z", kSecret, kNow).error, VerifyError::Malformed);
}

}  // namespace
}  // namespace zcache::auth
