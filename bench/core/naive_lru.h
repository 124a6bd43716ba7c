// naive_lru.h — the anchor the core throughput suite compares against: the LRU cache most people
// would write first. One std::mutex around a std::unordered_map<std::string, list iterator> and a
// std::list in recency order, with a byte budget (key + value bytes, no overhead counted).
//
// Fairness: get() hands out a copy of a shared_ptr<const std::string>, an atomic increment, just as
// zcache::Cache::get() hands out an EntryRef without copying the bytes; lookups take string_view
// keys (heterogeneous lookup) so neither side builds a std::string per call.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace zbench {

class NaiveLru {
 public:
  using Value = std::shared_ptr<const std::string>;

  explicit NaiveLru(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The value, or null when absent; a hit moves the entry to the front.
  Value get(std::string_view key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  // Stores a copy of `value`; evicts from the back until the budget holds. False when the entry
  // alone exceeds the budget.
  bool set(std::string_view key, std::string_view value) {
    const std::size_t charge = key.size() + value.size();
    if (charge > max_bytes_) return false;
    auto bytes = std::make_shared<const std::string>(value);  // allocate outside the lock
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      bytes_ -= it->second->charge;
      it->second->value = std::move(bytes);
      it->second->charge = charge;
      order_.splice(order_.begin(), order_, it->second);
    } else {
      order_.push_front(Node{std::string(key), std::move(bytes), charge});
      index_.emplace(order_.front().key, order_.begin());
    }
    bytes_ += charge;
    while (bytes_ > max_bytes_) evict_last();
    return true;
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return index_.size();
  }

 private:
  struct Node {
    std::string key;  // kept here too, to erase the index entry on eviction
    Value value;
    std::size_t charge;
  };
  // Transparent hash and equality: find() with a string_view does not allocate.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  void evict_last() {
    Node& last = order_.back();
    bytes_ -= last.charge;
    index_.erase(index_.find(std::string_view(last.key)));
    order_.pop_back();
  }

  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Node> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Node>::iterator, Hash, std::equal_to<>> index_;
  std::size_t bytes_ = 0;
};

}  // namespace zbench
