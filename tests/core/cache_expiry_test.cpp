// Entry windows: fresh → stale → (error window) → gone, on a clock the test moves.
#include "test_support.h"

#include <gtest/gtest.h>

namespace zcache::test {
namespace {

TEST(CacheExpiry, FreshThenStaleThenGone) {
  ClockedCache c;
  c.cache.set("k", "v", windows(1000, 5000));
  EXPECT_FALSE(c.cache.get("k").stale);
  c.advance(999);
  EXPECT_FALSE(c.cache.get("k").stale);
  c.advance(1);
  GetResult stale = c.cache.get("k");
  ASSERT_TRUE(stale.value);
  EXPECT_TRUE(stale.stale);
  c.advance(4999);
  EXPECT_TRUE(c.cache.get("k").value);
  c.advance(1);
  EXPECT_FALSE(c.cache.get("k").value);
  EXPECT_FALSE(c.cache.contains("k"));
  Stats s = c.cache.stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.stale_hits, 2u);
  EXPECT_EQ(s.entries, 0u);
}

TEST(CacheExpiry, DefaultsAreSixtySecondsFreshAndTenMinutesStale) {
  ClockedCache c;
  c.cache.set("k", "v");
  EntryRef e = c.cache.get("k").value;
  EXPECT_EQ(e.fresh_until_ms() - c.clock->now_ms(), 60'000);
  EXPECT_EQ(e.stale_until_ms() - e.fresh_until_ms(), 600'000);
}

TEST(CacheExpiry, TimerWheelReclaimsWithoutReads) {
  ClockedCache c;
  for (int i = 0; i < 1000; ++i) c.cache.set("k" + std::to_string(i), "v", windows(1000 + i, 0));
  c.cache.set("long", "v", windows(3'600'000));
  EXPECT_EQ(c.cache.stats().entries, 1001u);
  c.advance(500);
  EXPECT_EQ(c.cache.stats().entries, 1001u);
  c.advance(3000);  // past every short entry plus the wheel's one-second granularity
  Stats s = c.cache.stats();
  EXPECT_EQ(s.entries, 1u);
  EXPECT_EQ(s.expirations, 1000u);
  c.advance(3'600'000 + 70'000);
  EXPECT_EQ(c.cache.stats().entries, 0u);
}

TEST(CacheExpiry, FarFutureEntriesCascadeAndExpireOnTime) {
  ClockedCache c;
  const std::int64_t days = 24 * 3'600'000LL;
  c.cache.set("week", "v", windows(7 * days, 0));
  c.cache.set("forever", "v", windows(std::numeric_limits<std::int64_t>::max() / 2, 0));
  for (int d = 0; d < 6; ++d) c.advance(days);
  EXPECT_TRUE(c.cache.contains("week"));
  c.advance(days + 2000);
  EXPECT_FALSE(c.cache.contains("week"));
  EXPECT_TRUE(c.cache.contains("forever"));
  EXPECT_EQ(c.cache.stats().entries, 1u);
}

TEST(CacheExpiry, ZeroTtlIsStaleAtOnce) {
  ClockedCache c;
  c.cache.set("k", "v", windows(0, 1000));
  EXPECT_TRUE(c.cache.get("k").stale);
}

TEST(CacheExpiry, StaleIfErrorKeepsTheEntryPastItsStaleWindow) {
  ClockedCache c;
  c.cache.set("k", "old", windows(1000, 1000, 10'000));
  c.advance(2500);  // past fresh and stale, inside the error window
  EXPECT_FALSE(c.cache.get("k").value);  // not servable on its own
  auto r = c.cache.lookup("k", nullptr);
  ASSERT_EQ(r.state, LookupResult::State::Miss);
  FlightResult failed = c.cache.fail(std::move(r.ticket), Error(ErrorKind::FetchFailed, "origin down"));
  EXPECT_EQ(failed.status, FlightResult::Status::Value);
  EXPECT_EQ(failed.outcome, Outcome::Stale);
  EXPECT_EQ(value_of(failed.value), "old");
  c.advance(9000);  // past the error window
  auto again = c.cache.lookup("k", nullptr);
  ASSERT_EQ(again.state, LookupResult::State::Miss);
  FlightResult gone = c.cache.fail(std::move(again.ticket), Error(ErrorKind::FetchFailed, "origin down"));
  EXPECT_EQ(gone.status, FlightResult::Status::Error);
  EXPECT_EQ(gone.error->kind(), ErrorKind::FetchFailed);
}

TEST(CacheExpiry, TtlJitterShortensFreshTimeWithinTheFraction) {
  CacheOptions o;
  o.ttl_jitter = 0.5;
  ClockedCache c(o);
  bool some_shorter = false;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "k" + std::to_string(i);
    c.cache.set(key, "v", windows(10'000, 0));
    const std::int64_t ttl = c.cache.get(key).value.fresh_until_ms() - c.clock->now_ms();
    EXPECT_GT(ttl, 5'000);
    EXPECT_LE(ttl, 10'000);
    some_shorter = some_shorter || ttl < 9'000;
  }
  EXPECT_TRUE(some_shorter);
}

}  // namespace
}  // namespace zcache::test
