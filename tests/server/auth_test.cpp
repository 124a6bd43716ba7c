// Tests for auth/jwt.h: HS256 mint/verify and every way a token is refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "auth/base64url.h"
#include "auth/hmac_sha256.h"
#include "auth/jwt.h"

namespace zcache::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kSecret = "s3cret-for-tests";
constexpr std::int64_t kNow = 1'772'798'400;  // 2026-03-06T12:00:00Z

// Builds a token from arbitrary header/payload text, signed with HS256 under `secret`.
std::string hand_made(std::string_view header, std::string_view payload, std::string_view secret = kSecret) {
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  Sha256Digest mac{};
  EXPECT_TRUE(hmac_sha256(secret, input, mac));
  return input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}
std::string hand_made_json(const json& header, const json& payload) { return hand_made(header.dump(), payload.dump()); }

const json kHs256 = {{"alg", "HS256"}, {"typ", "JWT"}};

VerifyError verify_error(const std::string& token, std::int64_t now = kNow) {
  return verify_token(token, kSecret, now).error;
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    const std::string enc = base64url_encode(bytes);
    EXPECT_EQ(enc.find('='), std::string::npos);
    const auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec) << n;
    EXPECT_EQ(*dec, bytes);
    bytes += static_cast<char>(n * 37 + 250);
  }
}

TEST(Base64Url, KnownVectors) {  // RFC 4648 §10, without padding, url alphabet
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RefusesNonCanonicalInput) {
  EXPECT_FALSE(base64url_decode("Zg=="));  // padding
  EXPECT_FALSE(base64url_decode("Zm9v+/"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm 9v"));  // whitespace
  EXPECT_FALSE(base64url_decode("Zm9vY"));  // 4n+1 characters
  EXPECT_FALSE(base64url_decode("Zh"));  // unused bits set ("Zg" is the canonical "f")
  EXPECT_TRUE(base64url_decode(""));
}

TEST(Jwt, RoundTrip) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 3600, .now = kNow, .nbf = {}});
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find('='), std::string::npos);
  const VerifyResult r = verify_token(token, kSecret, kNow + 10);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.claims.sub, "admin");
  EXPECT_EQ(r.claims.exp, kNow + 3600);
  EXPECT_EQ(r.claims.iat, kNow);
  EXPECT_FALSE(r.claims.nbf);
  EXPECT_TRUE(r.message.empty());
}

TEST(Jwt, HeaderIsStandardHs256) {
  const std::string token = mint_token(kSecret, {.sub = "x", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  const auto header = json::parse(*base64url_decode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header, kHs256);
}

TEST(Jwt, KnownAnswerFromAnotherImplementation) {
  // The RFC 7519-style example token published by jwt.io, signed with its documented secret: our
  // HMAC and base64url must agree with it byte for byte.
  const std::string jwt_io =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  const VerifyResult r = verify_token(jwt_io, "your-256-bit-secret", 1516239022);
  EXPECT_EQ(r.error, VerifyError::MissingClaim) << r.message;  // signature accepted, no exp
}

TEST(Jwt, MintRefusesBadArguments) {
  EXPECT_THROW(mint_token("", {.sub = "a", .ttl_seconds = 60, .now = kNow, .nbf = {}}), std::invalid_argument);
  EXPECT_THROW(mint_token(kSecret, {.sub = "a", .ttl_seconds = 0, .now = kNow, .nbf = {}}), std::invalid_argument);
  EXPECT_THROW(mint_token(kSecret, {.sub = "a", .ttl_seconds = -5, .now = kNow, .nbf = {}}), std::invalid_argument);
  EXPECT_THROW(mint_token(kSecret, {.sub = "a", .ttl_seconds = INT64_MAX, .now = kNow, .nbf = {}}),
               std::invalid_argument);
}

TEST(Jwt, WrongSecretIsBadSignature) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  const VerifyResult r = verify_token(token, "another-secret", kNow);
  EXPECT_EQ(r.error, VerifyError::BadSignature);
  EXPECT_NE(r.message.find("signature"), std::string::npos);
}

TEST(Jwt, EmptySecretRefusesEverything) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  EXPECT_EQ(verify_token(token, "", kNow).error, VerifyError::NoSecret);
}

TEST(Jwt, ForgedSignature) {
  std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  // Flip one signature character (keep it canonical: change the first char of the signature).
  const auto sig = token.rfind('.') + 1;
  token[sig] = token[sig] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verify_error(token), VerifyError::BadSignature);
  // A signature of the wrong length.
  const std::string base = token.substr(0, sig);
  EXPECT_EQ(verify_error(base + base64url_encode(std::string(31, 'x'))), VerifyError::BadSignature);
  EXPECT_EQ(verify_error(base + base64url_encode(std::string(64, 'x'))), VerifyError::BadSignature);
  EXPECT_EQ(verify_error(base), VerifyError::BadSignature);  // empty signature
}

TEST(Jwt, TamperedPayload) {
  const std::string token = mint_token(kSecret, {.sub = "reader", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  const auto dot1 = token.find('.'), dot2 = token.rfind('.');
  const std::string forged_payload = base64url_encode(json{{"sub", "admin"}, {"exp", kNow + 60}}.dump());
  const std::string forged = token.substr(0, dot1 + 1) + forged_payload + token.substr(dot2);
  EXPECT_EQ(verify_error(forged), VerifyError::BadSignature);
  // Tampering with the header (same alg, extra field) also breaks the signature.
  const std::string header2 = base64url_encode(R"({"alg":"HS256","typ":"JWT","kid":"x"})");
  EXPECT_EQ(verify_error(header2 + token.substr(dot1)), VerifyError::BadSignature);
}

TEST(Jwt, AlgNoneWithEmptySignatureIsRefused) {
  const std::string unsigned_token = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                                     base64url_encode(json{{"sub", "admin"}, {"exp", kNow + 60}}.dump()) + ".";
  const VerifyResult r = verify_token(unsigned_token, kSecret, kNow);
  EXPECT_EQ(r.error, VerifyError::UnsupportedAlgorithm);
  EXPECT_NE(r.message.find("none"), std::string::npos) << r.message;
  // Case variants too.
  for (const char* alg : {"None", "NONE", "nOnE"}) {
    const std::string t = base64url_encode(json{{"alg", alg}}.dump()) + "." +
                          base64url_encode(json{{"exp", kNow + 60}}.dump()) + ".";
    EXPECT_EQ(verify_error(t), VerifyError::UnsupportedAlgorithm) << alg;
  }
}

TEST(Jwt, EveryOtherAlgorithmIsRefusedBeforeTheSignature) {
  for (const char* alg : {"HS384", "HS512", "RS256", "ES256", "PS256", "hs256", "HS256 ", ""}) {
    // Correctly HMAC-SHA256 signed with our secret: only the alg differs, so refusal is by alg alone
    // (this is the alg-confusion case: an RS256 token "verified" with the HMAC key).
    const std::string token = hand_made_json(json{{"alg", alg}, {"typ", "JWT"}}, json{{"exp", kNow + 60}});
    const VerifyResult r = verify_token(token, kSecret, kNow);
    EXPECT_EQ(r.error, VerifyError::UnsupportedAlgorithm) << alg;
  }
  // alg missing or not a string.
  EXPECT_EQ(verify_error(hand_made_json(json{{"typ", "JWT"}}, json{{"exp", kNow + 60}})), VerifyError::UnsupportedAlgorithm);
  EXPECT_EQ(verify_error(hand_made_json(json{{"alg", 256}}, json{{"exp", kNow + 60}})), VerifyError::UnsupportedAlgorithm);
  EXPECT_EQ(verify_error(hand_made_json(json{{"alg", json::array({"HS256"})}}, json{{"exp", kNow + 60}})),
            VerifyError::UnsupportedAlgorithm);
}

TEST(Jwt, CritHeaderIsRefused) {
  const std::string token = hand_made_json(json{{"alg", "HS256"}, {"crit", json::array({"b64"})}, {"b64", false}},
                                      json{{"exp", kNow + 60}});
  EXPECT_EQ(verify_error(token), VerifyError::UnsupportedAlgorithm);
}

TEST(Jwt, Expiry) {
  const std::string token = mint_token(kSecret, {.sub = "a", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  EXPECT_TRUE(verify_token(token, kSecret, kNow + 59).ok());
  const VerifyResult at = verify_token(token, kSecret, kNow + 60);  // exp <= now: expired
  EXPECT_EQ(at.error, VerifyError::Expired);
  EXPECT_NE(at.message.find("expired"), std::string::npos);
  EXPECT_EQ(verify_error(token, kNow + 100000), VerifyError::Expired);
  // Leeway tolerates skew; negative leeway is treated as none.
  EXPECT_TRUE(verify_token(token, kSecret, kNow + 60, 5).ok());
  EXPECT_EQ(verify_token(token, kSecret, kNow + 65, 5).error, VerifyError::Expired);
  EXPECT_EQ(verify_token(token, kSecret, kNow + 60, -100).error, VerifyError::Expired);
}

TEST(Jwt, NotBefore) {
  const std::string token = mint_token(kSecret, {.sub = "a", .ttl_seconds = 600, .now = kNow, .nbf = kNow + 100});
  const VerifyResult early = verify_token(token, kSecret, kNow + 99);
  EXPECT_EQ(early.error, VerifyError::NotYetValid);
  EXPECT_NE(early.message.find("not valid before"), std::string::npos);
  EXPECT_TRUE(verify_token(token, kSecret, kNow + 100).ok());
  EXPECT_TRUE(verify_token(token, kSecret, kNow + 95, 5).ok());
  const VerifyResult r = verify_token(token, kSecret, kNow + 100);
  EXPECT_EQ(r.claims.nbf, kNow + 100);
}

TEST(Jwt, ExpIsRequired) {
  const VerifyResult r = verify_token(hand_made_json(kHs256, json{{"sub", "admin"}}), kSecret, kNow);
  EXPECT_EQ(r.error, VerifyError::MissingClaim);
  EXPECT_NE(r.message.find("exp"), std::string::npos);
}

TEST(Jwt, NonNumericTimeClaims) {
  for (const json& bad : {json("1772802000"), json(true), json(nullptr), json::array({1}), json::object()}) {
    EXPECT_EQ(verify_error(hand_made_json(kHs256, json{{"exp", bad}})), VerifyError::InvalidClaim) << bad.dump();
    EXPECT_EQ(verify_error(hand_made_json(kHs256, json{{"exp", kNow + 60}, {"nbf", bad}})), VerifyError::InvalidClaim)
        << bad.dump();
    EXPECT_EQ(verify_error(hand_made_json(kHs256, json{{"exp", kNow + 60}, {"iat", bad}})), VerifyError::InvalidClaim)
        << bad.dump();
  }
  const VerifyResult r = verify_token(hand_made_json(kHs256, json{{"exp", "soon"}}), kSecret, kNow);
  EXPECT_NE(r.message.find("'exp'"), std::string::npos) << r.message;
}

TEST(Jwt, TimeClaimRanges) {
  // Decimal NumericDates are floored; huge values are out of range, not wrapped.
  EXPECT_TRUE(verify_token(hand_made(kHs256.dump(), R"({"exp":1772798460.9})"), kSecret, kNow).ok());
  EXPECT_EQ(verify_error(hand_made(kHs256.dump(), R"({"exp":1e300})")), VerifyError::InvalidClaim);
  EXPECT_EQ(verify_error(hand_made(kHs256.dump(), R"({"exp":18446744073709551615})")), VerifyError::InvalidClaim);
  EXPECT_EQ(verify_error(hand_made(kHs256.dump(), R"({"exp":-1})")), VerifyError::Expired);
  // exp at INT64_MAX with leeway must not overflow into the past.
  EXPECT_TRUE(verify_token(hand_made(kHs256.dump(), R"({"exp":9223372036854775807})"), kSecret, kNow, 10).ok());
  EXPECT_EQ(verify_token(hand_made(kHs256.dump(), R"({"exp":9223372036854775807,"nbf":-9223372036854775808})"),
                         kSecret, kNow, 10)
                .error,
            VerifyError::None);
}

TEST(Jwt, SubMustBeAString) {
  EXPECT_EQ(verify_error(hand_made_json(kHs256, json{{"exp", kNow + 60}, {"sub", 7}})), VerifyError::InvalidClaim);
  EXPECT_TRUE(verify_token(hand_made_json(kHs256, json{{"exp", kNow + 60}}), kSecret, kNow).ok());  // absent is fine
}

TEST(Jwt, Malformed) {
  const std::string good = mint_token(kSecret, {.sub = "a", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  const auto dot1 = good.find('.');
  for (const std::string& bad : {std::string(""), std::string("abc"), std::string("a.b"), good + ".x",
                                 std::string(".."), std::string("..."), good.substr(0, dot1)}) {
    EXPECT_EQ(verify_error(bad), VerifyError::Malformed) << bad;
  }
  // Bad base64url in each part.
  EXPECT_EQ(verify_error("eyJ=.e30.AAAA"), VerifyError::Malformed);
  EXPECT_EQ(verify_error(base64url_encode(kHs256.dump()) + ".e3!.AAAA"), VerifyError::Malformed);
  EXPECT_EQ(verify_error(base64url_encode(kHs256.dump()) + ".e30.AA AA"), VerifyError::Malformed);
  // Header not JSON, or JSON but not an object.
  EXPECT_EQ(verify_error(hand_made("not json", "{}")), VerifyError::Malformed);
  EXPECT_EQ(verify_error(hand_made("[\"HS256\"]", "{}")), VerifyError::Malformed);
  EXPECT_EQ(verify_error(hand_made("\"HS256\"", "{}")), VerifyError::Malformed);
  EXPECT_EQ(verify_error(hand_made(R"({"alg":"HS256"} trailing)", "{}")), VerifyError::Malformed);
  // Payload not JSON / not an object (signed correctly, so it gets that far).
  EXPECT_EQ(verify_error(hand_made(kHs256.dump(), "nope")), VerifyError::Malformed);
  EXPECT_EQ(verify_error(hand_made(kHs256.dump(), "[1,2]")), VerifyError::Malformed);
  EXPECT_EQ(verify_error(hand_made(kHs256.dump(), "")), VerifyError::Malformed);
  const VerifyResult r = verify_token("abc", kSecret, kNow);
  EXPECT_NE(r.message.find("three"), std::string::npos) << r.message;
}

TEST(Jwt, OversizedTokenIsRefusedWithoutParsing) {
  const std::string huge(kMaxTokenBytes + 1, 'A');
  const VerifyResult r = verify_token(huge, kSecret, kNow);
  EXPECT_EQ(r.error, VerifyError::TooLarge);
  EXPECT_NE(r.message.find("8192"), std::string::npos) << r.message;
  // A validly signed token that is just too big.
  const std::string big = mint_token(kSecret, {.sub = std::string(7000, 'u'), .ttl_seconds = 60, .now = kNow, .nbf = {}});
  ASSERT_GT(big.size(), kMaxTokenBytes);
  EXPECT_EQ(verify_error(big), VerifyError::TooLarge);
  // Just under the limit still works.
  const std::string fits = mint_token(kSecret, {.sub = std::string(5800, 'u'), .ttl_seconds = 60, .now = kNow, .nbf = {}});
  ASSERT_LE(fits.size(), kMaxTokenBytes);
  EXPECT_TRUE(verify_token(fits, kSecret, kNow).ok());
}

TEST(Jwt, MessagesNeverEchoTheSecretOrToken) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  for (std::int64_t now : {kNow, kNow + 60}) {
    const VerifyResult r = verify_token(token, "wrong", now);
    EXPECT_EQ(r.message.find(token), std::string::npos);
    EXPECT_EQ(r.message.find("wrong"), std::string::npos);
  }
}

TEST(Jwt, ErrorNames) {
  EXPECT_EQ(verify_error_name(VerifyError::Expired), "expired");
  EXPECT_EQ(verify_error_name(VerifyError::UnsupportedAlgorithm), "unsupported_algorithm");
  EXPECT_EQ(verify_error_name(VerifyError::BadSignature), "bad_signature");
}

}  // namespace
}  // namespace zcache::auth
