#include <zcache/http_semantics.h>

#include <gtest/gtest.h>

namespace zcache::http_semantics {
namespace {

TEST(CacheControl, ParsesTheDirectivesASharedCacheUses) {
  auto cc = parse_cache_control("public, Max-Age=60, s-maxage=\"120\", stale-while-revalidate=30, stale-if-error=300");
  EXPECT_EQ(cc.max_age, 60);
  EXPECT_EQ(cc.s_maxage, 120);
  EXPECT_EQ(cc.shared_max_age(), 120);
  EXPECT_EQ(cc.stale_while_revalidate, 30);
  EXPECT_EQ(cc.stale_if_error, 300);
  EXPECT_FALSE(cc.no_store);
  auto flags = parse_cache_control("no-store,NO-CACHE, private , must-revalidate");
  EXPECT_TRUE(flags.no_store);
  EXPECT_TRUE(flags.no_cache);
  EXPECT_TRUE(flags.is_private);
  EXPECT_TRUE(flags.must_revalidate);
}

TEST(CacheControl, IgnoresGarbageAndSaturatesHugeValues) {
  auto cc = parse_cache_control("max-age=-5, s-maxage=abc, stale-if-error=99999999999999999999, x=\"a,b\", ,,");
  EXPECT_FALSE(cc.max_age);
  EXPECT_FALSE(cc.s_maxage);
  EXPECT_EQ(cc.stale_if_error, 2147483647);
  EXPECT_FALSE(parse_cache_control("").max_age);
}

TEST(CacheStatus, FormatsRfc9211Values) {
  EXPECT_EQ(format_cache_status("zcache", {CacheStatus::Kind::Hit, false, "memory", std::nullopt}), "zcache; hit; detail=memory");
  EXPECT_EQ(format_cache_status("zcache", {CacheStatus::Kind::Miss, true, "", std::nullopt}), "zcache; fwd=miss; stored");
  EXPECT_EQ(format_cache_status("zcache", {CacheStatus::Kind::Stale, false, "", std::nullopt}), "zcache; fwd=stale");
  EXPECT_EQ(format_cache_status("zcache", {CacheStatus::Kind::Bypass, false, "method", std::nullopt}), "zcache; fwd=bypass; detail=method");
  EXPECT_EQ(format_cache_status("zcache", {CacheStatus::Kind::Hit, false, "", 42}), "zcache; hit; ttl=42");
}

}  // namespace
}  // namespace zcache::http_semantics
