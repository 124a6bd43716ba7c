// A hierarchical timer wheel (Varghese & Lauck; the layout of Caffeine's TimerWheel) that finds
// the entries whose time has come without scanning the others. Five levels of buckets span
// ~1 s, ~65 s, ~70 min, ~19 h and ~3 days; an entry sits in the coarsest bucket that still
// resolves its deadline and cascades to finer ones as time advances. Scheduling, descheduling
// and each expiry are O(1); advancing visits only the buckets whose tick has passed.
//
// Not thread-safe: the owning shard holds its lock around every call.
#pragma once

#include "cache/intrusive_list.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace zcache::detail {

// Traits: static ListLinks<Node>& timer_links(Node&); static std::uint8_t& timer_slot(Node&);
//         static std::int64_t deadline(const Node&)  (ms; the node expires when now >= deadline)
template <class Node, class Traits>
class TimerWheel {
  struct Links {
    ListLinks<Node>& operator()(Node& n) const noexcept { return Traits::timer_links(n); }
  };
  using List = IntrusiveList<Node, Links>;

  static constexpr int kLevels = 5;
  static constexpr std::array<int, kLevels> kBuckets = {64, 64, 32, 4, 1};
  static constexpr std::array<int, kLevels> kShift = {10, 16, 22, 26, 28};
  static constexpr std::array<int, kLevels> kFirst = {0, 64, 128, 160, 164};  // flat slot numbers
  static constexpr int kSlots = 165;

 public:
  static constexpr std::uint8_t kUnscheduled = 0xff;

  explicit TimerWheel(std::int64_t now_ms = 0) : now_(now_ms) {}

  std::int64_t now() const noexcept { return now_; }

  void schedule(Node& n) noexcept {
    const std::uint8_t slot = find_slot(Traits::deadline(n));
    Traits::timer_slot(n) = slot;
    slots_[slot].push_tail(n);
  }

  void deschedule(Node& n) noexcept {
    std::uint8_t& slot = Traits::timer_slot(n);
    if (slot == kUnscheduled) return;
    slots_[slot].unlink(n);
    slot = kUnscheduled;
  }

  // Moves time to `now_ms`; calls expire(Node&) for every node whose deadline has passed, after
  // unscheduling it. Nodes not yet due cascade into finer buckets.
  template <class Expire>
  void advance(std::int64_t now_ms, Expire&& expire) {
    const std::int64_t previous = now_;
    if (now_ms <= previous) return;
    now_ = now_ms;
    for (int level = 0; level < kLevels; ++level) {
      const std::int64_t prev_ticks = previous >> kShift[level];
      const std::int64_t delta = (now_ms >> kShift[level]) - prev_ticks;
      if (delta <= 0) break;
      expire_level(level, prev_ticks, delta, expire);
    }
  }

 private:
  std::uint8_t find_slot(std::int64_t deadline) const noexcept {
    // A deadline already behind the wheel (the caller read the clock before another thread
    // advanced it) goes in the current bucket, which the next tick visits.
    if (deadline < now_) deadline = now_;
    const std::int64_t delay = deadline - now_;
    for (int level = 0; level < kLevels - 1; ++level) {
      if (delay < (std::int64_t{1} << kShift[level + 1])) {
        const std::int64_t ticks = deadline >> kShift[level];
        return static_cast<std::uint8_t>(kFirst[level] + (ticks & (kBuckets[level] - 1)));
      }
    }
    return static_cast<std::uint8_t>(kFirst[kLevels - 1]);
  }

  template <class Expire>
  void expire_level(int level, std::int64_t prev_ticks, std::int64_t delta, Expire& expire) {
    const int buckets = kBuckets[level];
    const int mask = buckets - 1;
    const int steps = static_cast<int>(std::min<std::int64_t>(delta + 1, buckets));
    const int start = static_cast<int>(prev_ticks & mask);
    for (int i = start; i < start + steps; ++i) {
      List due = slots_[kFirst[level] + (i & mask)].take_all();
      while (Node* n = due.pop_head()) {
        Traits::timer_slot(*n) = kUnscheduled;
        if (Traits::deadline(*n) > now_) {
          schedule(*n);
        } else {
          expire(*n);
        }
      }
    }
  }

  std::array<List, kSlots> slots_{};
  std::int64_t now_;
};

}  // namespace zcache::detail
