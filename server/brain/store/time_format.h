// brain/store/time_format.h — timestamps as the API shows them.
#pragma once

#include <cstdint>
#include <string>

namespace zcache::brain {

// Milliseconds since the Unix epoch → RFC 3339 UTC with whole seconds, e.g. "2026-03-06T12:00:00Z"
// (the seed's format). Sub-second digits are dropped (floored). Inputs outside years 0000..9999 are
// clamped to that range so the result always has the fixed shape.
std::string format_rfc3339(std::int64_t unix_ms);

}  // namespace zcache::brain
