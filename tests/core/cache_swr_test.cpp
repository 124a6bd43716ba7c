// The stale-while-revalidate protocol: leaders, followers, revalidation, timeouts, and the rule
// that a purge or newer write beats a fill already in flight.
#include "test_support.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace zcache::test {
namespace {

using State = LookupResult::State;
using Status = FlightResult::Status;

struct Waiter {
  std::shared_ptr<std::vector<FlightResult>> results = std::make_shared<std::vector<FlightResult>>();
  WaitCallback callback() {
    return [r = results](FlightResult f) { r->push_back(std::move(f)); };
  }
  std::size_t calls() const { return results->size(); }
  const FlightResult& last() const { return results->back(); }
};

TEST(CacheSwr, MissGivesOneLeaderAndFollowersWait) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  ASSERT_EQ(leader.state, State::Miss);
  ASSERT_TRUE(leader.ticket);
  Waiter w1, w2;
  EXPECT_EQ(c.cache.lookup("k", w1.callback()).state, State::Wait);
  EXPECT_EQ(c.cache.lookup("k", w2.callback()).state, State::Wait);
  EXPECT_EQ(w1.calls(), 0u);
  EntryRef served = c.cache.fill(std::move(leader.ticket), "v", windows(1000));
  EXPECT_EQ(value_of(served), "v");
  ASSERT_EQ(w1.calls(), 1u);
  ASSERT_EQ(w2.calls(), 1u);
  EXPECT_EQ(w1.last().status, Status::Value);
  EXPECT_EQ(w1.last().outcome, Outcome::Miss);
  EXPECT_EQ(value_of(w2.last().value), "v");
  EXPECT_EQ(c.cache.lookup("k", nullptr).state, State::Fresh);
  EXPECT_EQ(c.cache.stats().fills, 1u);
}

TEST(CacheSwr, StaleGivesExactlyOneRevalidationTicket) {
  ClockedCache c;
  c.cache.set("k", "old", windows(1000, 10'000));
  c.advance(1500);
  auto first = c.cache.lookup("k", nullptr);
  ASSERT_EQ(first.state, State::Stale);
  EXPECT_TRUE(first.ticket);
  EXPECT_TRUE(first.ticket.revalidation());
  auto second = c.cache.lookup("k", nullptr);
  ASSERT_EQ(second.state, State::Stale);
  EXPECT_FALSE(second.ticket);
  EXPECT_EQ(value_of(second.value), "old");
  c.cache.fill(std::move(first.ticket), "new", windows(1000, 10'000));
  auto after = c.cache.lookup("k", nullptr);
  EXPECT_EQ(after.state, State::Fresh);
  EXPECT_EQ(value_of(after.value), "new");
}

TEST(CacheSwr, FailedRevalidationKeepsServingStale) {
  ClockedCache c;
  c.cache.set("k", "old", windows(1000, 10'000));
  c.advance(1500);
  auto r = c.cache.lookup("k", nullptr);
  ASSERT_TRUE(r.ticket);
  c.cache.fail(std::move(r.ticket), Error(ErrorKind::FetchFailed, "boom"));
  auto again = c.cache.lookup("k", nullptr);
  EXPECT_EQ(again.state, State::Stale);
  EXPECT_TRUE(again.ticket);  // a new revalidation may start
}

TEST(CacheSwr, FailedFillGivesEveryWaiterTheError) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  Waiter w;
  c.cache.lookup("k", w.callback());
  Error err(ErrorKind::FetchFailed, "db down");
  err.payload = std::make_shared<int>(42);
  FlightResult r = c.cache.fail(std::move(leader.ticket), err);
  EXPECT_EQ(r.status, Status::Error);
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().status, Status::Error);
  EXPECT_EQ(std::string(w.last().error->what()), "db down");
  EXPECT_EQ(*std::static_pointer_cast<int>(w.last().error->payload), 42);
  EXPECT_EQ(c.cache.lookup("k", nullptr).state, State::Miss);  // nothing was cached
}

TEST(CacheSwr, StaleIfErrorServesWaitersTheOldValue) {
  ClockedCache c;
  c.cache.set("k", "old", windows(1000, 0, 60'000));
  c.advance(2000);
  auto leader = c.cache.lookup("k", nullptr);
  ASSERT_EQ(leader.state, State::Miss);
  Waiter w;
  c.cache.lookup("k", w.callback());
  c.cache.fail(std::move(leader.ticket), Error(ErrorKind::FetchFailed, "x"));
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().status, Status::Value);
  EXPECT_EQ(w.last().outcome, Outcome::Stale);
  EXPECT_EQ(value_of(w.last().value), "old");
}

TEST(CacheSwr, DroppedTicketCancelsTheWaiters) {
  ClockedCache c;
  Waiter w;
  {
    auto leader = c.cache.lookup("k", nullptr);
    c.cache.lookup("k", w.callback());
  }
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().error->kind(), ErrorKind::Cancelled);
  EXPECT_EQ(c.cache.lookup("k", nullptr).state, State::Miss);
}

TEST(CacheSwr, LockTimeoutReleasesWaitersAndLetsANewLeaderIn) {
  CacheOptions o;
  o.lock_timeout_ms = 5000;
  ClockedCache c(o);
  auto silent = c.cache.lookup("k", nullptr);
  Waiter w;
  c.cache.lookup("k", w.callback());
  c.advance(4999);
  EXPECT_EQ(w.calls(), 0u);
  c.advance(1);
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().status, Status::LockTimeout);
  auto next = c.cache.lookup("k", nullptr);
  EXPECT_EQ(next.state, State::Miss);
  // The silent leader's late fill goes to it alone and is not stored over the new flight.
  EXPECT_EQ(value_of(c.cache.fill(std::move(silent.ticket), "late", windows(1000))), "late");
  EXPECT_FALSE(c.cache.get("k").value);
  c.cache.fill(std::move(next.ticket), "fresh", windows(1000));
  EXPECT_EQ(value_of(c.cache.get("k").value), "fresh");
}

TEST(CacheSwr, LockTimeoutIsAlsoNoticedByTheNextLookup) {
  CacheOptions o;
  o.lock_timeout_ms = 1000;
  ClockedCache c(o);
  auto silent = c.cache.lookup("k", nullptr);
  Waiter w;
  c.cache.lookup("k", w.callback());
  c.clock->advance(1000);  // no maintenance run
  auto next = c.cache.lookup("k", nullptr);
  EXPECT_EQ(next.state, State::Miss);
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().status, Status::LockTimeout);
}

TEST(CacheSwr, SoftTimeoutServesTheOldValueWhileTheFetchGoesOn) {
  CacheOptions o;
  o.soft_timeout_ms = 200;
  ClockedCache c(o);
  c.cache.set("k", "old", windows(1000, 0, 60'000));
  c.advance(1500);
  auto leader = c.cache.lookup("k", nullptr);
  Waiter w, late;
  c.cache.lookup("k", w.callback());
  c.advance(200);
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().outcome, Outcome::Stale);
  EXPECT_EQ(value_of(w.last().value), "old");
  c.cache.lookup("k", late.callback());  // arrives after the soft deadline: answered at once
  ASSERT_EQ(late.calls(), 1u);
  EXPECT_EQ(value_of(late.last().value), "old");
  c.cache.fill(std::move(leader.ticket), "new", windows(1000));
  EXPECT_EQ(value_of(c.cache.get("k").value), "new");
}

TEST(CacheSwr, HardTimeoutGivesWaitersATimeoutError) {
  CacheOptions o;
  o.hard_timeout_ms = 300;
  ClockedCache c(o);
  auto leader = c.cache.lookup("k", nullptr);
  Waiter w;
  c.cache.lookup("k", w.callback());
  c.advance(300);
  ASSERT_EQ(w.calls(), 1u);
  EXPECT_EQ(w.last().error->kind(), ErrorKind::Timeout);
  c.cache.fill(std::move(leader.ticket), "v", windows(1000));  // still stored when it arrives
  EXPECT_EQ(value_of(c.cache.get("k").value), "v");
}

TEST(CacheSwr, HardPurgeDuringAFillWins) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  Waiter w;
  c.cache.lookup("k", w.callback());
  c.cache.purge(by_keys({"k"}));
  EntryRef served = c.cache.fill(std::move(leader.ticket), "v-before-purge", windows(1000));
  EXPECT_EQ(value_of(served), "v-before-purge");
  ASSERT_EQ(w.calls(), 1u);  // the waiters already waiting get it...
  EXPECT_FALSE(c.cache.get("k").value);  // ...but it is not stored
}

TEST(CacheSwr, TagPurgeDuringAFillWinsWhenTheFillCarriesTheTag) {
  ClockedCache c;
  auto a = c.cache.lookup("a", nullptr);
  auto b = c.cache.lookup("b", nullptr);
  c.cache.purge(by_tags({"users"}));
  c.cache.fill(std::move(a.ticket), "A", tagged({"users", "user:1"}));
  c.cache.fill(std::move(b.ticket), "B", tagged({"products"}));
  EXPECT_FALSE(c.cache.get("a").value);
  EXPECT_EQ(value_of(c.cache.get("b").value), "B");
}

TEST(CacheSwr, PrefixPurgeDuringARevalidationWins) {
  ClockedCache c;
  c.cache.set("img/1", "old", windows(1000, 10'000));
  c.advance(1500);
  auto r = c.cache.lookup("img/1", nullptr);
  ASSERT_TRUE(r.ticket);
  c.cache.purge(by_prefix("img/"));
  c.cache.fill(std::move(r.ticket), "stale-fetch", windows(1000, 10'000));
  EXPECT_FALSE(c.cache.get("img/1").value);
}

TEST(CacheSwr, SoftPurgeDuringAFillStoresItAsStale) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  c.cache.purge(by_keys({"k"}), PurgeMode::Soft);
  c.cache.fill(std::move(leader.ticket), "v", windows(1000, 10'000));
  GetResult g = c.cache.get("k");
  ASSERT_TRUE(g.value);
  EXPECT_TRUE(g.stale);
}

TEST(CacheSwr, NewerWriteDuringAFillWins) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  c.cache.set("k", "written", windows(1000));
  c.cache.fill(std::move(leader.ticket), "fetched-earlier", windows(1000));
  EXPECT_EQ(value_of(c.cache.get("k").value), "written");
}

TEST(CacheSwr, WaiterMayCallBackIntoTheCache) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  std::string seen;
  c.cache.lookup("k", [&](FlightResult) { seen = value_of(c.cache.get("k").value); });
  c.cache.fill(std::move(leader.ticket), "v", windows(1000));
  EXPECT_EQ(seen, "v");
}

TEST(CacheSwr, TicketFromAnotherCacheIsRefused) {
  ClockedCache a, b;
  auto t = a.cache.lookup("k", nullptr);
  EXPECT_THROW(b.cache.fill(std::move(t.ticket), "v"), Error);
}

}  // namespace
}  // namespace zcache::test

namespace zcache::test {
namespace {

TEST(CacheSwrCancel, CancelledWaiterIsNotCalledAndOthersAreUndisturbed) {
  ClockedCache c;
  auto leader = c.cache.lookup("k", nullptr);
  int cancelled_calls = 0, other_calls = 0;
  auto cancelled = c.cache.lookup("k", [&](FlightResult) { ++cancelled_calls; });
  auto other = c.cache.lookup("k", [&](FlightResult) { ++other_calls; });
  ASSERT_EQ(cancelled.state, LookupResult::State::Wait);
  EXPECT_NE(cancelled.wait_id, other.wait_id);
  EXPECT_TRUE(c.cache.cancel_wait("k", cancelled.wait_id));
  EXPECT_FALSE(c.cache.cancel_wait("k", cancelled.wait_id));  // already withdrawn
  c.cache.fill(std::move(leader.ticket), "v");
  EXPECT_EQ(cancelled_calls, 0);
  EXPECT_EQ(other_calls, 1);
  EXPECT_FALSE(c.cache.cancel_wait("k", other.wait_id));  // the flight already ended
}

}  // namespace
}  // namespace zcache::test
