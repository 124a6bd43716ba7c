// The W-TinyLFU policy and its frequency sketch, white-box on unit-weight nodes.
#include "cache/frequency_sketch.h"
#include "cache/wtinylfu.h"

#include <gtest/gtest.h>

#include <memory>
#include <unordered_map>

namespace zcache::detail {
namespace {

struct Node {
  std::uint64_t key;
  std::uint64_t weight = 1;
  ListLinks<Node> links;
  std::uint8_t queue = 0;
};
struct Traits {
  static ListLinks<Node>& links(Node& n) { return n.links; }
  static std::uint8_t& queue(Node& n) { return n.queue; }
  static std::uint64_t weight(const Node& n) { return n.weight; }
  static std::uint64_t hash(const Node& n) { return n.key * 0x9e3779b97f4a7c15ull; }
};

struct Sim {
  explicit Sim(std::uint64_t capacity) : policy(capacity, capacity) {}
  bool access(std::uint64_t key, std::uint64_t weight = 1) {
    if (auto it = nodes.find(key); it != nodes.end()) {
      policy.on_hit(*it->second);
      return true;
    }
    auto n = std::make_unique<Node>(Node{key, weight, {}, 0});
    policy.on_insert(*n);
    nodes.emplace(key, std::move(n));
    policy.evict([&](Node& v) {
      EXPECT_EQ(v.queue, kNoQueue);
      nodes.erase(v.key);
    });
    return false;
  }
  std::unordered_map<std::uint64_t, std::unique_ptr<Node>> nodes;
  WTinyLfu<Node, Traits> policy;
};

TEST(FrequencySketch, CountsSaturateAtFifteen) {
  FrequencySketch s(1024);
  for (int i = 0; i < 5; ++i) s.increment(42);
  EXPECT_EQ(s.frequency(42), 5);
  for (int i = 0; i < 100; ++i) s.increment(42);
  EXPECT_EQ(s.frequency(42), 15);
  EXPECT_EQ(s.frequency(43), 0);
}

TEST(FrequencySketch, AgingHalvesCounts) {
  FrequencySketch s(1024);  // halves every counter after 10,240 increments
  for (int i = 0; i < 8; ++i) s.increment(7);
  EXPECT_EQ(s.frequency(7), 8);
  for (std::uint64_t k = 1; k <= 10'240; ++k) s.increment(k * 0x9e3779b97f4a7c15ull);
  EXPECT_LE(s.frequency(7), 5);  // 8 halved, plus a little count-min noise
}

TEST(WTinyLfu, NeverHoldsMoreThanCapacity) {
  Sim sim(100);
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    sim.access((i * 7919) % 1000);
    ASSERT_LE(sim.policy.weight(), 100u);
    ASSERT_EQ(sim.policy.entries(), sim.nodes.size());
  }
}

TEST(WTinyLfu, FrequentKeysBeatOneTimeKeys) {
  Sim sim(100);
  std::uint64_t next_scan_key = 1000;
  for (int round = 0; round < 100; ++round) {
    for (std::uint64_t k = 0; k < 50; ++k) sim.access(k);
    for (int i = 0; i < 200; ++i) sim.access(next_scan_key++);  // one-time keys, 4× the hot set
  }
  int kept = 0;
  for (std::uint64_t k = 0; k < 50; ++k) kept += sim.nodes.count(k) ? 1 : 0;
  EXPECT_GE(kept, 45);  // plain LRU would keep none
}

TEST(WTinyLfu, WindowGrowsForARecencyWorkload) {
  // Each key is used twice, 10 requests apart, then never again: only recency can hit (plain
  // LRU of 100 hits every re-use), which the 1% initial window cannot capture until the hill
  // climber grows it. (With re-use distances where a small window gets no hits at all, the hit
  // rate gives the climber no slope to follow: hill climbing is a local search.)
  Sim sim(100);
  const std::uint64_t initial_window = sim.policy.window_max_weight();
  const int n = 40'000;
  const int kDistance = 10;
  int late_reuses = 0, late_hits = 0;
  for (int i = 0; i < n; ++i) {
    sim.access(static_cast<std::uint64_t>(i));
    if (i < kDistance) continue;
    const bool hit = sim.access(static_cast<std::uint64_t>(i - kDistance));
    if (i > n / 2) {
      ++late_reuses;
      late_hits += hit;
    }
  }
  EXPECT_GT(sim.policy.window_max_weight(), initial_window + 2 * kDistance);
  EXPECT_GT(late_hits, late_reuses * 8 / 10);
}

TEST(WTinyLfu, WeightedEvictionFreesEnoughWeight) {
  Sim sim(1000);
  for (std::uint64_t k = 0; k < 100; ++k) sim.access(k, 10);
  EXPECT_LE(sim.policy.weight(), 1000u);
  sim.access(5000, 600);  // a heavy newcomer: room is made or it is refused, never overflow
  EXPECT_LE(sim.policy.weight(), 1000u);
  sim.access(6000, 2000);  // heavier than the whole budget: always evicted
  EXPECT_EQ(sim.nodes.count(6000), 0u);
  EXPECT_LE(sim.policy.weight(), 1000u);
}

TEST(WTinyLfu, RemoveAndReplaceKeepWeightsExact) {
  Sim sim(100);
  for (std::uint64_t k = 0; k < 60; ++k) sim.access(k);
  for (std::uint64_t k = 0; k < 60; k += 2) sim.access(k);  // some promoted to protected
  Node& n = *sim.nodes.at(1);
  sim.policy.on_remove(n);
  sim.nodes.erase(1);
  EXPECT_EQ(sim.policy.weight(), 59u);
  auto fresh = std::make_unique<Node>(Node{2, 3, {}, 0});
  sim.policy.on_replace(*sim.nodes.at(2), *fresh, Traits::hash(*fresh));
  sim.nodes[2] = std::move(fresh);
  EXPECT_EQ(sim.policy.weight(), 61u);
  EXPECT_EQ(sim.policy.entries(), 59u);
}

}  // namespace
}  // namespace zcache::detail
