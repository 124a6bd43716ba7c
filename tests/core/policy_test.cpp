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
  for (int round = 0; round < 10; ++round)
    for (std::uint64_t k = 0; k < 50; ++k) sim.access(k);
  for (std::uint64_t k = 1000; k < 11'000; ++k) sim.access(k);
  int kept = 0;
  for (std::uint64_t k = 0; k < 50; ++k) kept += sim.nodes.count(k) ? 1 : 0;
  EXPECT_GE(kept, 48);
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
