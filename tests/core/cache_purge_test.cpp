// Purge by keys, prefix and tags, alone and mixed, hard and soft; events reach listeners.
#include "test_support.h"

#include <gtest/gtest.h>

namespace zcache::test {
namespace {

struct Recorder : CacheListener {
  std::vector<std::pair<std::string, RemovalCause>> removed;
  std::vector<PurgeResult> purges;
  void on_removal(const EntryRef& e, RemovalCause cause) override { removed.emplace_back(std::string(e.key()), cause); }
  void on_purge(const PurgeSelector&, PurgeMode, const PurgeResult& r) override { purges.push_back(r); }
};

class CachePurge : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 10; ++i) c.cache.set("images/" + std::to_string(i), "img", tagged({"media"}));
    for (int i = 0; i < 10; ++i) c.cache.set("image-meta/" + std::to_string(i), "m", tagged({"meta"}));
    c.cache.set("assets/logo.png", "logo", tagged({"media", "brand"}));
    c.cache.set("assets/hero.jpg", "hero");
    c.cache.set("user:42", "u", tagged({"users", "user:42"}));
  }
  ClockedCache c{sized(16 << 20, 4)};
};

TEST_F(CachePurge, ByKeys) {
  auto r = c.cache.purge(by_keys({"assets/logo.png", "assets/hero.jpg", "absent"}));
  EXPECT_EQ(r.objects_purged, 2u);
  EXPECT_GT(r.bytes_freed, 0u);
  EXPECT_FALSE(c.cache.contains("assets/logo.png"));
  EXPECT_FALSE(c.cache.contains("assets/hero.jpg"));
  EXPECT_TRUE(c.cache.contains("user:42"));
}

TEST_F(CachePurge, ByPrefixTakesOnlyKeysThatStartWithIt) {
  auto r = c.cache.purge(by_prefix("images/"));
  EXPECT_EQ(r.objects_purged, 10u);
  EXPECT_FALSE(c.cache.contains("images/3"));
  EXPECT_TRUE(c.cache.contains("image-meta/3"));
  EXPECT_EQ(c.cache.purge(by_prefix("image")).objects_purged, 10u);
  EXPECT_EQ(c.cache.purge(by_prefix("zzz")).objects_purged, 0u);
}

TEST_F(CachePurge, ByTags) {
  auto r = c.cache.purge(by_tags({"media"}));
  EXPECT_EQ(r.objects_purged, 11u);
  EXPECT_FALSE(c.cache.contains("assets/logo.png"));
  EXPECT_TRUE(c.cache.contains("image-meta/0"));
  EXPECT_EQ(c.cache.purge(by_tags({"brand"})).objects_purged, 0u);  // already gone with "media"
  EXPECT_EQ(c.cache.purge(by_tags({"user:42"})).objects_purged, 1u);
}

TEST_F(CachePurge, MixedSelectorsCountEachEntryOnce) {
  PurgeSelector s;
  s.prefix = "assets/";
  s.keys = {"assets/logo.png", "user:42"};
  s.tags = {"brand", "media"};
  auto r = c.cache.purge(s);
  EXPECT_EQ(r.objects_purged, 13u);  // 10 images + logo + hero + user:42
  EXPECT_EQ(c.cache.stats().entries, 10u);
}

TEST_F(CachePurge, BytesFreedMatchesTheBudgetReleased) {
  const std::uint64_t before = c.cache.stats().bytes;
  auto r = c.cache.purge(by_prefix("images/"));
  EXPECT_EQ(before - c.cache.stats().bytes, r.bytes_freed);
}

TEST_F(CachePurge, SoftPurgeMarksStaleAndOneRevalidationRuns) {
  c.cache.set("p", "old", windows(60'000, 600'000));
  auto r = c.cache.purge(by_keys({"p"}), PurgeMode::Soft);
  EXPECT_EQ(r.objects_purged, 1u);
  EXPECT_EQ(r.bytes_freed, 0u);
  auto first = c.cache.lookup("p", nullptr);
  EXPECT_EQ(first.state, LookupResult::State::Stale);
  EXPECT_EQ(value_of(first.value), "old");
  EXPECT_TRUE(first.ticket);
  EXPECT_FALSE(c.cache.lookup("p", nullptr).ticket);
}

TEST_F(CachePurge, ListenersSeeEachEntryAndTheTotals) {
  auto rec = std::make_shared<Recorder>();
  c.cache.add_listener(rec);
  c.cache.purge(by_tags({"users"}));
  ASSERT_EQ(rec->removed.size(), 1u);
  EXPECT_EQ(rec->removed[0].first, "user:42");
  EXPECT_EQ(rec->removed[0].second, RemovalCause::Purged);
  ASSERT_EQ(rec->purges.size(), 1u);
  EXPECT_EQ(rec->purges[0].objects_purged, 1u);
  c.cache.erase("assets/hero.jpg");
  EXPECT_EQ(rec->removed.back().second, RemovalCause::Deleted);
  c.cache.remove_listener(rec);
  c.cache.clear();
  EXPECT_EQ(rec->removed.size(), 2u);
}

TEST(CachePurgeScale, PrefixPurgeVisitsOnlyMatches) {
  // Not a timing test: the ordered index answers a prefix by range, which the counts show.
  ClockedCache c(sized(256 << 20));
  for (int i = 0; i < 100'000; ++i) c.cache.set("bulk:" + std::to_string(i), "v");
  for (int i = 0; i < 5; ++i) c.cache.set("hot:" + std::to_string(i), "v");
  EXPECT_EQ(c.cache.purge(by_prefix("hot:")).objects_purged, 5u);
  EXPECT_EQ(c.cache.stats().entries, 100'000u);
}

}  // namespace
}  // namespace zcache::test
