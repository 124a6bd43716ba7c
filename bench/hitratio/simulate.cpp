#include "simulate.h"

#include "lru_policy.h"
#include "opt_policy.h"
#include "wtinylfu_replay.h"

namespace zcache::sim {

std::string_view policy_name(Policy p) noexcept {
  switch (p) {
    case Policy::kWTinyLfu: return "wtinylfu";
    case Policy::kLru: return "lru";
    case Policy::kOpt: return "opt";
  }
  return "?";
}

std::optional<Policy> parse_policy(std::string_view name) noexcept {
  for (const Policy p : kAllPolicies)
    if (policy_name(p) == name) return p;
  return std::nullopt;
}

SimResult simulate(Policy policy, const Trace& trace, std::uint64_t capacity) {
  SimResult r;
  r.requests = trace.size();
  switch (policy) {
    case Policy::kWTinyLfu: r.hits = wtinylfu_hits(trace, capacity); break;
    case Policy::kLru: r.hits = lru_hits(trace, capacity); break;
    case Policy::kOpt: r.hits = opt_hits(trace, capacity); break;
  }
  return r;
}

}  // namespace zcache::sim
