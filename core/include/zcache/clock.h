// zcache/clock.h — the time source of a cache. Tests drive a ManualClock; production uses the
// system clock. Times are milliseconds since the Unix epoch (wall-clock time), so that windows
// written to a replica file keep their meaning across restarts.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace zcache {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch. Thread-safe.
  virtual std::int64_t now_ms() const noexcept = 0;
  // True for clocks that move by themselves (the background maintenance thread only runs for these).
  virtual bool is_real() const noexcept { return false; }
};

// The process-wide wall clock (CLOCK_REALTIME_COARSE: a few ns a read, ms resolution).
std::shared_ptr<Clock> system_clock();

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() const noexcept override { return now_.load(std::memory_order_acquire); }
  void set(std::int64_t ms) noexcept { now_.store(ms, std::memory_order_release); }
  void advance(std::int64_t ms) noexcept { now_.fetch_add(ms, std::memory_order_acq_rel); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace zcache
