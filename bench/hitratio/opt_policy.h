// Bélády's optimal policy (OPT), simulator only: on a miss in a full cache, evict the key whose
// next use lies farthest in the future. It needs the whole trace in advance; it bounds what any
// real policy can reach.
#pragma once

#include "trace.h"

#include <cstdint>

namespace zcache::sim {

// Hits when `trace` is replayed through OPT with `capacity` entries. O(n log n).
std::uint64_t opt_hits(const Trace& trace, std::uint64_t capacity);

}  // namespace zcache::sim
