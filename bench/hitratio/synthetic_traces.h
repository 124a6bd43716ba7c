// Synthetic traces for the engine's hit-ratio figures (issue 3). Deterministic for a given seed.
#pragma once

#include "trace.h"

#include <cstdint>

namespace zcache::sim {

// `requests` keys drawn from Zipf(alpha) over `keys` keys (0 is the most popular).
Trace zipf_trace(std::uint64_t keys, double alpha, std::uint64_t requests, std::uint64_t seed);

// Zipf(alpha) over `keys` keys with a fraction `scan_fraction` of the requests replaced by
// one-time keys (each requested once and never again, numbered from `keys` up) — the pollution
// a scan or crawler causes, which an admission policy should keep out of the cache.
Trace zipf_with_scans_trace(std::uint64_t keys, double alpha, double scan_fraction, std::uint64_t requests,
                            std::uint64_t seed);

// 0, 1, …, keys−1, 0, 1, … for `requests` requests: LRU's worst case once keys > capacity.
Trace loop_trace(std::uint64_t keys, std::uint64_t requests);

}  // namespace zcache::sim
