// Plain LRU, simulator only: the baseline every hit-ratio figure is compared with.
#pragma once

#include "trace.h"

#include <cstdint>

namespace zcache::sim {

// Hits when `trace` is replayed through an LRU cache of `capacity` entries.
std::uint64_t lru_hits(const Trace& trace, std::uint64_t capacity);

}  // namespace zcache::sim
