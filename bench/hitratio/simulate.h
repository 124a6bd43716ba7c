// One entry point for replaying a trace through any of the simulator's policies.
#pragma once

#include "trace.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace zcache::sim {

enum class Policy { kWTinyLfu, kLru, kOpt };

inline constexpr Policy kAllPolicies[] = {Policy::kWTinyLfu, Policy::kLru, Policy::kOpt};

std::string_view policy_name(Policy p) noexcept;          // "wtinylfu", "lru", "opt"
std::optional<Policy> parse_policy(std::string_view name) noexcept;

struct SimResult {
  std::uint64_t requests = 0;
  std::uint64_t hits = 0;
  double hit_ratio_percent() const noexcept {
    return requests ? 100.0 * static_cast<double>(hits) / static_cast<double>(requests) : 0.0;
  }
};

// Replays `trace` through `policy` holding at most `capacity` entries of weight 1.
SimResult simulate(Policy policy, const Trace& trace, std::uint64_t capacity);

}  // namespace zcache::sim
