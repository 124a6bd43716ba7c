// Replays a trace through the engine's own W-TinyLFU template (core/src/cache/wtinylfu.h) —
// the same code a cache shard runs, not a copy — with every key of weight 1.
#pragma once

#include "trace.h"

#include <cstdint>

namespace zcache::sim {

// Hits when `trace` is replayed through W-TinyLFU with `capacity` entries.
std::uint64_t wtinylfu_hits(const Trace& trace, std::uint64_t capacity);

}  // namespace zcache::sim
