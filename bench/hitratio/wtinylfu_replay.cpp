#include "wtinylfu_replay.h"

#include "random.h"

#include "cache/wtinylfu.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>

namespace zcache::sim {
namespace {

struct SimNode {
  explicit SimNode(Key k) noexcept : key(k) {}
  detail::ListLinks<SimNode> links;
  Key key;
  std::uint8_t queue = 0;
};

struct SimTraits {
  static detail::ListLinks<SimNode>& links(SimNode& n) noexcept { return n.links; }
  static std::uint8_t& queue(SimNode& n) noexcept { return n.queue; }
  static std::uint64_t weight(const SimNode&) noexcept { return 1; }
  // Trace keys are small dense integers; mix them so the sketch's counters spread evenly.
  static std::uint64_t hash(const SimNode& n) noexcept { return mix64(n.key); }
};

}  // namespace

std::uint64_t wtinylfu_hits(const Trace& trace, std::uint64_t capacity) {
  // The sketch is sized for the maximum, as Caffeine does (its aging period follows), except that
  // no more keys than requests can ever be resident: an absurd --capacity must not allocate.
  const std::uint64_t expected = std::max<std::uint64_t>(1, std::min<std::uint64_t>(capacity, trace.size()));
  detail::WTinyLfu<SimNode, SimTraits> policy(capacity, expected);
  absl::flat_hash_map<Key, SimNode*> map;
  map.reserve(expected + 1);

  std::uint64_t hits = 0;
  for (const Key key : trace) {
    const auto [it, inserted] = map.try_emplace(key, nullptr);
    if (!inserted) {
      ++hits;
      policy.on_hit(*it->second);
      continue;
    }
    SimNode* node = new SimNode(key);
    it->second = node;
    policy.on_insert(*node);
    policy.evict([&map](SimNode& victim) {
      map.erase(victim.key);
      delete &victim;
    });
  }
  for (auto& [key, node] : map) delete node;
  return hits;
}

}  // namespace zcache::sim
