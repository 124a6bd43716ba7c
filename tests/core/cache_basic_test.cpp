#include "test_support.h"

#include <gtest/gtest.h>

#include <thread>

namespace zcache::test {
namespace {

TEST(CacheBasic, SetThenGetReturnsTheValueAndEncoding) {
  ClockedCache c;
  EntryOptions o = windows(1000);
  o.encoding = 7;
  o.tags = {"a", "b"};
  ASSERT_TRUE(c.cache.set("k", "hello", o));
  GetResult r = c.cache.get("k");
  ASSERT_TRUE(r.value);
  EXPECT_FALSE(r.stale);
  EXPECT_EQ(r.value.key(), "k");
  EXPECT_EQ(r.value.value(), "hello");
  EXPECT_EQ(r.value.encoding(), 7);
  EXPECT_EQ(r.value.tags(), (std::vector<std::string_view>{"a", "b"}));
}

TEST(CacheBasic, AnEntryKnowsWhetherItsValueIsAscii) {
  ClockedCache c;
  EntryOptions o = windows(1000);
  o.tags = std::vector<std::string>(kMaxTags, "t");  // tag_count shares the flag's byte
  // Every length up to two words past a word boundary, a high byte at each position.
  for (std::size_t n = 0; n <= 19; ++n) {
    std::string plain(n, 'x');
    ASSERT_TRUE(c.cache.set("k", plain, o));
    EntryRef e = c.cache.get("k").value;
    EXPECT_TRUE(e.value_is_ascii()) << n;
    EXPECT_EQ(e.value(), plain);
    EXPECT_EQ(e.tags().size(), kMaxTags);
    for (std::size_t at = 0; at < n; ++at) {
      std::string high = plain;
      high[at] = static_cast<char>(0x80 | at);
      ASSERT_TRUE(c.cache.set("k", high));
      e = c.cache.get("k").value;
      EXPECT_FALSE(e.value_is_ascii()) << n << " " << at;
      EXPECT_EQ(e.value(), high);
    }
  }
  ASSERT_TRUE(c.cache.set("k", "caf\xc3\xa9"));
  EXPECT_FALSE(c.cache.get("k").value.value_is_ascii());
}

TEST(CacheBasic, MissingKeyIsAMiss) {
  ClockedCache c;
  EXPECT_FALSE(c.cache.get("nope").value);
  EXPECT_EQ(c.cache.stats().misses, 1u);
}

TEST(CacheBasic, SetReplacesAndOldReferencesStayValid) {
  ClockedCache c;
  c.cache.set("k", "one");
  EntryRef old = c.cache.get("k").value;
  c.cache.set("k", "two");
  EXPECT_EQ(value_of(old), "one");  // still readable after replacement
  EXPECT_EQ(value_of(c.cache.get("k").value), "two");
  EXPECT_NE(old.identity(), c.cache.get("k").value.identity());
  EXPECT_EQ(c.cache.stats().entries, 1u);
}

TEST(CacheBasic, AnEntryIsResidentUntilItLeavesTheCache) {
  ClockedCache c;
  EXPECT_FALSE(c.cache.is_resident(EntryRef()));
  c.cache.set("k", "one", windows(1000, 1000));
  EntryRef one = c.cache.get("k").value;
  EXPECT_TRUE(c.cache.is_resident(one));
  c.cache.set("k", "two", windows(1000, 1000));
  EXPECT_FALSE(c.cache.is_resident(one));  // replaced
  EntryRef two = c.cache.get("k").value;
  EXPECT_TRUE(c.cache.is_resident(two));
  c.cache.erase("k");
  EXPECT_FALSE(c.cache.is_resident(two));  // deleted

  c.cache.set("p", "v", windows(1000, 1000));
  EntryRef p = c.cache.get("p").value;
  c.cache.purge(by_keys({"p"}));
  EXPECT_FALSE(c.cache.is_resident(p));

  c.cache.set("e", "v", windows(10, 10));
  EntryRef e = c.cache.get("e").value;
  c.advance(3000);  // past its windows plus the timer wheel's one-second granularity
  EXPECT_FALSE(c.cache.is_resident(e));  // reclaimed
}

TEST(CacheBasic, EraseAndContains) {
  ClockedCache c;
  c.cache.set("k", "v");
  EXPECT_TRUE(c.cache.contains("k"));
  EXPECT_TRUE(c.cache.erase("k"));
  EXPECT_FALSE(c.cache.contains("k"));
  EXPECT_FALSE(c.cache.erase("k"));
}

TEST(CacheBasic, ClearEmptiesEverything) {
  ClockedCache c;
  for (int i = 0; i < 100; ++i) c.cache.set("k" + std::to_string(i), "v", tagged({"t"}));
  c.cache.clear();
  Stats s = c.cache.stats();
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(c.cache.purge(by_tags({"t"})).objects_purged, 0u);
}

TEST(CacheBasic, BadArgumentsAreInvalidArgumentErrors) {
  ClockedCache c;
  auto kind_of = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.kind();
    }
    return ErrorKind::Internal;
  };
  EXPECT_EQ(kind_of([&] { c.cache.set("", "v"); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { c.cache.get(std::string(70'000, 'k')); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { c.cache.set("k", "v", windows(-1)); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { c.cache.set("k", "v", tagged({""})); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { c.cache.set("k", "v", tagged({std::string(600, 't')})); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { c.cache.purge({}); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([&] { c.cache.purge(by_prefix("")); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([] { Cache bad(sized(0)); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([] { Cache bad(sized(1 << 20, 3)); }), ErrorKind::InvalidArgument);
  EXPECT_EQ(kind_of([] {
              CacheOptions o;
              o.ttl_jitter = 1.5;
              Cache bad(o);
            }),
            ErrorKind::InvalidArgument);
  // Nothing was stored by the refused calls.
  EXPECT_EQ(c.cache.stats().entries, 0u);
}

TEST(CacheBasic, ErrorCodesAreStable) {
  EXPECT_EQ(error_code(ErrorKind::InvalidArgument), "invalid_argument");
  EXPECT_EQ(error_code(ErrorKind::Timeout), "timeout");
  EXPECT_EQ(Error(ErrorKind::NotFound, "x", 404).http_status(), 404);
  EXPECT_EQ(outcome_name(Outcome::Stale), "stale");
}

TEST(CacheBasic, SharedByNameIsOneEngineForEveryThread) {
  CacheOptions o;
  o.max_bytes = 1 << 20;
  Cache a = Cache::shared("basic-shared", o);
  const void* from_thread = nullptr;
  std::thread([&] { from_thread = Cache::shared("basic-shared", o).id(); }).join();
  EXPECT_EQ(a.id(), from_thread);
  a.set("k", "v");
  EXPECT_TRUE(Cache::shared("basic-shared", o).contains("k"));
  CacheOptions other = o;
  other.max_bytes = 2 << 20;
  EXPECT_THROW(Cache::shared("basic-shared", other), Error);
  EXPECT_NE(Cache::shared("basic-other", o).id(), a.id());
}

TEST(CacheBasic, SharedEngineDiesWithItsLastHandle) {
  CacheOptions o;
  o.max_bytes = 1 << 20;
  {
    Cache a = Cache::shared("basic-ephemeral", o);
    a.set("k", "v");
  }
  EXPECT_FALSE(Cache::shared("basic-ephemeral", o).contains("k"));
}

TEST(CacheBasic, BackgroundMaintenanceWithTheSystemClockStopsCleanly) {
  for (int i = 0; i < 20; ++i) {
    Cache c(sized(1 << 20));
    c.set("k", "v");
  }
  SUCCEED();
}

}  // namespace
}  // namespace zcache::test
