// brain/api/brain_clock.h — the brain's notion of "now", injectable so tests can drive time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace zcache::brain {

// Unix milliseconds. Store timestamps, token checks (÷ 1000) and collected_at all read it.
using NowMs = std::function<std::int64_t()>;

inline std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace zcache::brain
