#include "lru_policy.h"

#include "cache/intrusive_list.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <vector>

namespace zcache::sim {
namespace {

struct LruNode {
  detail::ListLinks<LruNode> links;
  Key key = 0;
};
struct LruLinks {
  detail::ListLinks<LruNode>& operator()(LruNode& n) const noexcept { return n.links; }
};

}  // namespace

std::uint64_t lru_hits(const Trace& trace, std::uint64_t capacity) {
  if (capacity == 0) return 0;
  // Nodes live in one preallocated pool; once it is full, a miss reuses the evicted node.
  std::vector<LruNode> pool(std::min<std::uint64_t>(capacity, trace.size()));
  std::size_t used = 0;
  absl::flat_hash_map<Key, LruNode*> index;
  index.reserve(pool.size());
  detail::IntrusiveList<LruNode, LruLinks> list;  // head = least recently used

  std::uint64_t hits = 0;
  for (const Key key : trace) {
    auto [it, inserted] = index.try_emplace(key, nullptr);
    if (!inserted) {
      ++hits;
      list.move_to_tail(*it->second);
      continue;
    }
    LruNode* node;
    if (used < pool.size()) {
      node = &pool[used++];
    } else {
      node = list.pop_head();
      index.erase(node->key);
      it = index.find(key);  // erase may have moved the new slot
    }
    node->key = key;
    it->second = node;
    list.push_tail(*node);
  }
  return hits;
}

}  // namespace zcache::sim
