#include "cache/timer_wheel.h"

#include <gtest/gtest.h>

#include <vector>

namespace zcache::detail {
namespace {

struct Timer {
  std::int64_t deadline;
  ListLinks<Timer> links;
  std::uint8_t slot = 0xff;
};
struct Traits {
  static ListLinks<Timer>& timer_links(Timer& t) { return t.links; }
  static std::uint8_t& timer_slot(Timer& t) { return t.slot; }
  static std::int64_t deadline(const Timer& t) { return t.deadline; }
};

TEST(TimerWheel, ExpiresEachTimerAfterItsDeadlineAndNotBefore) {
  const std::int64_t start = 1'700'000'000'000;
  TimerWheel<Timer, Traits> wheel(start);
  std::vector<Timer> timers;
  const std::int64_t delays[] = {1, 999, 1024, 5000, 65'535, 70'000, 3'600'000, 40'000'000, 300'000'000, 900'000'000};
  for (std::int64_t d : delays) timers.push_back(Timer{start + d, {}, 0xff});
  for (auto& t : timers) wheel.schedule(t);
  std::vector<std::int64_t> expired_at(timers.size(), -1);
  std::int64_t now = start;
  while (now < start + 1'000'000'000) {
    now += 997;  // an odd step, so ticks are crossed at every phase
    wheel.advance(now, [&](Timer& t) { expired_at[static_cast<std::size_t>(&t - timers.data())] = now; });
  }
  for (std::size_t i = 0; i < timers.size(); ++i) {
    ASSERT_GE(expired_at[i], timers[i].deadline) << "timer " << i << " expired early";
    EXPECT_LE(expired_at[i] - timers[i].deadline, 2100) << "timer " << i << " expired late";
  }
}

TEST(TimerWheel, DescheduledTimersNeverFire) {
  TimerWheel<Timer, Traits> wheel(0);
  Timer a{500, {}, 0xff}, b{600, {}, 0xff};
  wheel.schedule(a);
  wheel.schedule(b);
  wheel.deschedule(a);
  int fired = 0;
  wheel.advance(5000, [&](Timer& t) {
    EXPECT_EQ(&t, &b);
    ++fired;
  });
  EXPECT_EQ(fired, 1);
}

TEST(TimerWheel, BigJumpExpiresEverythingDue) {
  TimerWheel<Timer, Traits> wheel(0);
  std::vector<Timer> timers;
  for (int i = 0; i < 1000; ++i) timers.push_back(Timer{i * 100'000LL, {}, 0xff});
  for (auto& t : timers) wheel.schedule(t);
  int fired = 0;
  wheel.advance(50'000'000, [&](Timer&) { ++fired; });
  EXPECT_EQ(fired, 501);  // deadlines 0 .. 50,000,000 inclusive
}

}  // namespace
}  // namespace zcache::detail

namespace zcache::detail {
namespace {

TEST(TimerWheel, DeadlineBehindTheWheelFiresAtTheNextTick) {
  TimerWheel<Timer, Traits> wheel(0);
  wheel.advance(100'000, [](Timer&) {});
  Timer late{50'000, {}, 0xff};  // scheduled after the wheel already passed its deadline
  wheel.schedule(late);
  int fired = 0;
  wheel.advance(101'100, [&](Timer&) { ++fired; });
  EXPECT_EQ(fired, 1);
}

}  // namespace
}  // namespace zcache::detail
