// The byte budget: honest charges, never exceeded, too-large values refused, eviction by policy.
#include "test_support.h"

#include <gtest/gtest.h>

namespace zcache::test {
namespace {

TEST(CacheBudget, NeverExceededUnderChurn) {
  ClockedCache c(sized(256 << 10, 4));
  for (int i = 0; i < 20'000; ++i) {
    c.cache.set("k" + std::to_string(i % 5000), std::string(static_cast<std::size_t>(i % 700), 'x'), tagged({"t" + std::to_string(i % 7)}));
    ASSERT_LE(c.cache.stats().bytes, 256u << 10);
  }
  Stats s = c.cache.stats();
  EXPECT_GT(s.evictions, 0u);
  EXPECT_GT(s.entries, 0u);
}

TEST(CacheBudget, ChargeCountsKeyValueTagsAndOverhead) {
  ClockedCache c(sized(1 << 20, 1));
  c.cache.set("k", std::string(1000, 'v'));
  const std::uint64_t plain = c.cache.stats().bytes;
  EXPECT_GT(plain, 1001u);
  c.cache.set("k", std::string(1000, 'v'), tagged({"some-tag"}));
  EXPECT_GT(c.cache.stats().bytes, plain + 8);
  c.cache.set("longer-key", std::string(1000, 'v'));
  EXPECT_GE(c.cache.stats().bytes, 2 * plain);
}

TEST(CacheBudget, TooLargeValueIsRefusedAndRemovesTheOldOne) {
  ClockedCache c(sized(64 << 10, 1));
  EXPECT_TRUE(c.cache.set("k", "small"));
  EXPECT_FALSE(c.cache.set("k", std::string(100 << 10, 'x')));
  EXPECT_FALSE(c.cache.contains("k"));
  EXPECT_EQ(c.cache.stats().rejected, 1u);
  EXPECT_EQ(c.cache.stats().bytes, 0u);
}

TEST(CacheBudget, TooLargeFillStillReachesWaiters) {
  ClockedCache c(sized(64 << 10, 1));
  auto leader = c.cache.lookup("k", nullptr);
  std::string got;
  c.cache.lookup("k", [&](FlightResult r) { got = value_of(r.value); });
  EntryRef served = c.cache.fill(std::move(leader.ticket), std::string(100 << 10, 'x'));
  EXPECT_EQ(served.value().size(), 100u << 10);
  EXPECT_EQ(got.size(), 100u << 10);
  EXPECT_FALSE(c.cache.contains("k"));
}

TEST(CacheBudget, FrequentKeysSurviveAScan) {
  ClockedCache c(sized(200 * 1024, 1));
  const std::string value(900, 'v');
  for (int round = 0; round < 20; ++round)
    for (int i = 0; i < 50; ++i) {
      if (!c.cache.get("hot" + std::to_string(i)).value) c.cache.set("hot" + std::to_string(i), value);
    }
  for (int i = 0; i < 5000; ++i) c.cache.set("scan" + std::to_string(i), value);  // one-time keys
  int hot_left = 0;
  for (int i = 0; i < 50; ++i) hot_left += c.cache.contains("hot" + std::to_string(i));
  EXPECT_GE(hot_left, 45);  // W-TinyLFU refuses most one-hit wonders; plain LRU would keep none
}

}  // namespace
}  // namespace zcache::test
