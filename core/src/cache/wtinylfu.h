// W-TinyLFU eviction (Einziger, Friedman & Manes, "TinyLFU: A Highly Efficient Cache Admission
// Policy", 2017), weighted, as Caffeine's BoundedLocalCache does it:
//
//   new entries ──▶ window LRU (1%) ──overflow──▶ probation ──hit──▶ protected (80% of main)
//                                                    ▲                 │ overflow
//                                                    └─────────────────┘
//
// The window's share adapts while the cache runs (hill climbing, Einziger et al., "Adaptive
// Software Cache Management", Middleware 2018, as in Caffeine): every sample period the hit rate
// is compared with the previous one; while it improves the window keeps moving the same way,
// when it drops the direction flips, and the step decays so the split settles. Recency-heavy
// workloads grow the window, frequency- and scan-heavy ones shrink it.
//
// When the total weight is over the maximum, the oldest window arrivals in probation (candidates)
// duel with probation's least recently used entries (victims): the one the frequency sketch
// has seen less often is evicted. Candidates that are hot enough for a hash-flooding attack to
// pin out every victim (frequency ≥ 6) are admitted at random 1 in 128 times instead.
//
// The same template serves the cache (weight = charged bytes) and the hit-ratio simulator
// (weight = 1), so simulated hit ratios are those of the engine's own code. Not thread-safe:
// the owner (a cache shard) holds its lock around every call.
#pragma once

#include "cache/frequency_sketch.h"
#include "cache/intrusive_list.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace zcache::detail {

enum PolicyQueue : std::uint8_t { kNoQueue = 0, kWindow = 1, kProbation = 2, kProtected = 3 };

// Traits: static ListLinks<Node>& links(Node&); static std::uint8_t& queue(Node&);
//         static std::uint64_t weight(const Node&); static std::uint64_t hash(const Node&);
template <class Node, class Traits>
class WTinyLfu {
  struct Links {
    ListLinks<Node>& operator()(Node& n) const noexcept { return Traits::links(n); }
  };
  using List = IntrusiveList<Node, Links>;

 public:
  static constexpr double kWindowFraction = 0.01;
  static constexpr double kProtectedFraction = 0.80;
  static constexpr int kAdmitHashDosThreshold = 6;
  static constexpr double kClimberStepFraction = 0.0625;
  static constexpr double kClimberRestartThreshold = 0.05;
  static constexpr double kClimberStepDecay = 0.98;
  static constexpr int kQueueTransferLimit = 1000;

  WTinyLfu(std::uint64_t max_weight, std::uint64_t expected_entries)
      : sketch_(expected_entries) {
    set_max_weight(max_weight);
  }

  void set_max_weight(std::uint64_t max_weight) noexcept {
    max_ = max_weight;
    // As Caffeine: the main space is floored, so a small cache still has a window of 1.
    window_max_ = max_ - static_cast<std::uint64_t>(static_cast<double>(max_) * (1.0 - kWindowFraction));
    protected_max_ = static_cast<std::uint64_t>(static_cast<double>(max_ - window_max_) * kProtectedFraction);
    step_ = -kClimberStepFraction * static_cast<double>(max_);
    previous_hit_rate_ = 0;
    hits_in_sample_ = misses_in_sample_ = 0;
  }

  std::uint64_t window_max_weight() const noexcept { return window_max_; }

  std::uint64_t weight() const noexcept { return total_; }
  std::uint64_t max_weight() const noexcept { return max_; }
  std::uint64_t entries() const noexcept { return entries_; }
  int frequency(const Node& n) const noexcept { return sketch_.frequency(Traits::hash(n)); }

  // A new resident node. `hash` is Traits::hash(n), passed when the caller already has it.
  void on_insert(Node& n) { on_insert(n, Traits::hash(n)); }
  void on_insert(Node& n, std::uint64_t hash) {
    const std::uint64_t w = Traits::weight(n);
    if (++entries_ > sketch_.capacity()) sketch_.ensure_capacity(entries_);  // ~1 word per entry, as Caffeine
    sketch_.increment(hash);
    ++misses_in_sample_;
    Traits::queue(n) = kWindow;
    window_.push_tail(n);
    window_weight_ += w;
    total_ += w;
  }

  // A resident node was read (or rewritten in place).
  void on_hit(Node& n) noexcept { on_hit(n, Traits::hash(n)); }
  // `weight`: the read stands for that many (a sample of reads; see Cache::record_hits).
  void on_hit(Node& n, std::uint64_t hash, std::uint32_t weight = 1) noexcept {
    for (std::uint32_t i = 0; i < weight; ++i) sketch_.increment(hash);
    hits_in_sample_ += weight;
    switch (Traits::queue(n)) {
      case kWindow: window_.move_to_tail(n); break;
      case kProtected: protected_.move_to_tail(n); break;
      case kProbation: promote(n); break;
      default: break;
    }
  }

  // The owner removed a resident node (purge, expiry, delete).
  void on_remove(Node& n) noexcept {
    const std::uint64_t w = Traits::weight(n);
    switch (Traits::queue(n)) {
      case kWindow: window_.unlink(n); window_weight_ -= w; break;
      case kProbation: probation_.unlink(n); break;
      case kProtected: protected_.unlink(n); protected_weight_ -= w; break;
      default: return;
    }
    Traits::queue(n) = kNoQueue;
    total_ -= w;
    --entries_;
  }

  // `fresh` takes the place of the resident `old` (a new value for the same key); counts as a hit.
  void on_replace(Node& old, Node& fresh, std::uint64_t hash) noexcept {
    const std::uint64_t wo = Traits::weight(old), wf = Traits::weight(fresh);
    const std::uint8_t q = Traits::queue(old);
    list(q).replace(old, fresh);
    Traits::queue(old) = kNoQueue;
    Traits::queue(fresh) = q;
    total_ += wf - wo;
    if (q == kWindow) window_weight_ += wf - wo;
    if (q == kProtected) protected_weight_ += wf - wo;
    on_hit(fresh, hash);
  }

  // Evicts until weight() <= max_weight(). `evict(Node&)` is called for each victim after it has
  // left the policy; the owner drops it from its indexes and frees it.
  template <class Evict>
  void evict(Evict&& evict) {
    Node* candidate = evict_from_window();
    evict_from_main(candidate, evict);
    climb();
  }

 private:
  List& list(std::uint8_t q) noexcept {
    return q == kWindow ? window_ : q == kProbation ? probation_ : protected_;
  }

  void promote(Node& n) noexcept {
    const std::uint64_t w = Traits::weight(n);
    if (w > protected_max_) {
      probation_.move_to_tail(n);
      return;
    }
    probation_.unlink(n);
    Traits::queue(n) = kProtected;
    protected_.push_tail(n);
    protected_weight_ += w;
    demote_from_protected();
  }

  void demote_from_protected() noexcept {
    while (protected_weight_ > protected_max_) {
      Node* demoted = protected_.pop_head();
      if (!demoted) break;
      protected_weight_ -= Traits::weight(*demoted);
      Traits::queue(*demoted) = kProbation;
      probation_.push_tail(*demoted);
    }
  }

  // --- the hill climber

  void climb() noexcept {
    const std::int64_t amount = determine_adjustment();
    if (amount > 0) increase_window(static_cast<std::uint64_t>(amount));
    else if (amount < 0) decrease_window(static_cast<std::uint64_t>(-amount));
  }

  // Once per sample period: the step to take, signed (positive grows the window).
  std::int64_t determine_adjustment() noexcept {
    const std::uint64_t requests = hits_in_sample_ + misses_in_sample_;
    if (requests < sketch_.sample_size()) return 0;
    const double hit_rate = static_cast<double>(hits_in_sample_) / static_cast<double>(requests);
    const double change = hit_rate - previous_hit_rate_;
    const double amount = change >= 0 ? step_ : -step_;
    step_ = std::abs(change) >= kClimberRestartThreshold
                ? kClimberStepFraction * static_cast<double>(max_) * (amount >= 0 ? 1 : -1)
                : kClimberStepDecay * amount;
    previous_hit_rate_ = hit_rate;
    hits_in_sample_ = misses_in_sample_ = 0;
    return static_cast<std::int64_t>(amount);
  }

  // Moves `quota` weight of capacity from protected to the window, with the oldest main entries.
  void increase_window(std::uint64_t quota) noexcept {
    if (protected_max_ == 0) return;
    quota = std::min(quota, protected_max_);
    protected_max_ -= quota;
    window_max_ += quota;
    demote_from_protected();
    for (int i = 0; i < kQueueTransferLimit; ++i) {
      Node* candidate = probation_.head();
      bool from_probation = true;
      if (!candidate || quota < Traits::weight(*candidate)) {
        candidate = protected_.head();
        from_probation = false;
      }
      if (!candidate) break;
      const std::uint64_t w = Traits::weight(*candidate);
      if (quota < w) break;
      quota -= w;
      if (from_probation) {
        probation_.unlink(*candidate);
      } else {
        protected_.unlink(*candidate);
        protected_weight_ -= w;
      }
      window_.push_tail(*candidate);
      window_weight_ += w;
      Traits::queue(*candidate) = kWindow;
    }
    protected_max_ += quota;  // what could not be moved stays where it was
    window_max_ -= quota;
  }

  // Moves `quota` weight of capacity from the window to protected, with the oldest window entries.
  void decrease_window(std::uint64_t quota) noexcept {
    if (window_max_ <= 1) return;
    quota = std::min(quota, window_max_ - 1);
    protected_max_ += quota;
    window_max_ -= quota;
    for (int i = 0; i < kQueueTransferLimit; ++i) {
      Node* candidate = window_.head();
      if (!candidate) break;
      const std::uint64_t w = Traits::weight(*candidate);
      if (quota < w) break;
      quota -= w;
      window_.unlink(*candidate);
      window_weight_ -= w;
      probation_.push_tail(*candidate);
      Traits::queue(*candidate) = kProbation;
    }
    protected_max_ -= quota;
    window_max_ += quota;
  }

  // Moves the window's overflow to the tail of probation; returns the first node moved.
  Node* evict_from_window() noexcept {
    Node* first = nullptr;
    while (window_weight_ > window_max_ && !window_.empty()) {
      Node* n = window_.pop_head();
      window_weight_ -= Traits::weight(*n);
      Traits::queue(*n) = kProbation;
      probation_.push_tail(*n);
      if (!first) first = n;
    }
    return first;
  }

  template <class Evict>
  void evict_from_main(Node* candidate, Evict& evict) {
    std::uint8_t victim_queue = kProbation, candidate_queue = kProbation;
    Node* victim = probation_.head();
    while (total_ > max_) {
      if (!candidate && candidate_queue == kProbation) {
        candidate = window_.head();
        candidate_queue = kWindow;
      }
      if (!candidate && !victim) {
        if (victim_queue == kProbation) {
          victim = protected_.head();
          victim_queue = kProtected;
          continue;
        }
        if (victim_queue == kProtected) {
          victim = window_.head();
          victim_queue = kWindow;
          continue;
        }
        break;
      }
      if (!victim) {
        Node* next = List::next(*candidate);
        remove_and_evict(*candidate, evict);
        candidate = next;
        continue;
      }
      if (!candidate) {
        Node* next = List::next(*victim);
        remove_and_evict(*victim, evict);
        victim = next;
        continue;
      }
      if (candidate == victim) {
        victim = List::next(*victim);
        remove_and_evict(*candidate, evict);
        candidate = nullptr;
        continue;
      }
      if (Traits::weight(*candidate) > max_) {
        Node* next = List::next(*candidate);
        remove_and_evict(*candidate, evict);
        candidate = next;
        continue;
      }
      if (admit(*candidate, *victim)) {
        Node* next = List::next(*victim);
        remove_and_evict(*victim, evict);
        victim = next;
        candidate = List::next(*candidate);
      } else {
        Node* next = List::next(*candidate);
        remove_and_evict(*candidate, evict);
        candidate = next;
      }
    }
  }

  bool admit(const Node& candidate, const Node& victim) noexcept {
    const int victim_freq = sketch_.frequency(Traits::hash(victim));
    const int candidate_freq = sketch_.frequency(Traits::hash(candidate));
    if (candidate_freq > victim_freq) return true;
    if (candidate_freq >= kAdmitHashDosThreshold) return (rng_() & 127) == 0;
    return false;
  }

  template <class Evict>
  void remove_and_evict(Node& n, Evict& evict) {
    on_remove(n);
    evict(n);
  }

  FrequencySketch sketch_;
  List window_, probation_, protected_;
  std::uint64_t max_ = 0, window_max_ = 0, protected_max_ = 0;
  std::uint64_t total_ = 0, window_weight_ = 0, protected_weight_ = 0, entries_ = 0;
  std::uint64_t hits_in_sample_ = 0, misses_in_sample_ = 0;
  double previous_hit_rate_ = 0;
  double step_ = 0;
  std::minstd_rand rng_{0x5eed};
};

}  // namespace zcache::detail
