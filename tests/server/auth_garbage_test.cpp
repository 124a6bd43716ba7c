// Garbage in, a clean refusal out: verify_token and parse_bearer on random and adversarial input.
// Run under ASan+UBSan too (see server/auth/CMakeLists.txt); a crash here is a bug.
#include <gtest/gtest.h>

#include <random>

#include "auth/base64url.h"
#include "auth/bearer.h"
#include "auth/jwt.h"

namespace zcache::auth {
namespace {

constexpr std::string_view kSecret = "garbage-secret";
constexpr std::int64_t kNow = 1'772'798'400;

TEST(Garbage, RandomBytesNeverCrashOrVerify) {
  std::mt19937_64 rng(20260306);  // fixed seed: reproducible
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 300, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    EXPECT_FALSE(verify_token(s, kSecret, kNow).ok());
    (void)parse_bearer(s);
    (void)base64url_decode(s);
  }
}

TEST(Garbage, RandomTokenShapedInputNeverVerifies) {
  // Three base64url parts of random bytes: gets past the structural checks far more often.
  std::mt19937_64 rng(42);
  const std::string pieces[] = {R"({"alg":"HS256"})", R"({"alg":"none"})", R"({"exp":)", "{", "[", "\"", "1e999", "null",
                                "\xff\xfe", R"({"alg":"HS256","crit":[]})", "{}"};
  for (int i = 0; i < 20000; ++i) {
    std::string parts[3];
    for (auto& p : parts) {
      std::string raw;
      const int n = static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) raw += pieces[rng() % std::size(pieces)];
      if (rng() % 3 == 0) raw += static_cast<char>(rng());
      p = base64url_encode(raw);
    }
    const std::string token = parts[0] + "." + parts[1] + "." + parts[2];
    EXPECT_FALSE(verify_token(token, kSecret, kNow).ok());
    EXPECT_FALSE(authenticate_bearer("Bearer " + token, kSecret, kNow).ok());
  }
}

TEST(Garbage, MutatedValidTokensNeverVerify) {
  const std::string token = mint_token(kSecret, {.sub = "admin", .ttl_seconds = 60, .now = kNow, .nbf = {}});
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string t = token;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) t[rng() % t.size()] = static_cast<char>(rng());
    if (t == token) continue;
    accepted += verify_token(t, kSecret, kNow).ok();
  }
  EXPECT_EQ(accepted, 0);
}

TEST(Garbage, DeeplyNestedJsonHeader) {
  const std::string deep(6000, '[');
  const std::string token = base64url_encode(deep) + ".e30.AAAA";
  ASSERT_LE(token.size(), kMaxTokenBytes);
  EXPECT_EQ(verify_token(token, kSecret, kNow).error, VerifyError::Malformed);
}

}  // namespace
}  // namespace zcache::auth
