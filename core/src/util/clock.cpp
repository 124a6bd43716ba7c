#include <zcache/clock.h>

#include <time.h>

namespace zcache {
namespace {

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const noexcept override {
    timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
  }
  bool is_real() const noexcept override { return true; }
};

}  // namespace

std::shared_ptr<Clock> system_clock() {
  static const std::shared_ptr<Clock> clock = std::make_shared<SystemClock>();
  return clock;
}

}  // namespace zcache
