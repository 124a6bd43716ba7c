// circuit_breaker.h — fail fast while the brain is unreachable (DESIGN §7).
//
// Closed: requests go out; `threshold` consecutive transport failures open it.
// Open: allow() says no until `cooldown` has passed; then it lets exactly one trial through
// (half-open). The trial's outcome decides: an answer closes it, a failure re-opens it.
// Thread-safe: attempts start on caller threads and finish on the HttpClient thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace zcache::client {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  // threshold 0 disables the breaker (allow() is always true).
  CircuitBreaker(int threshold, std::chrono::milliseconds cooldown) : threshold_(threshold), cooldown_(cooldown) {}

  // May this attempt go out? When it returns true in the half-open state, the caller holds the trial
  // and must report on_answer() or on_transport_failure().
  bool allow();
  // Any HTTP answer (whatever its status): the brain is reachable.
  void on_answer();
  // No answer (connect, DNS, lost connection, timeout).
  void on_transport_failure();
  // The attempt ended without telling anything about the brain (cancelled, bad request): frees a trial.
  void on_inconclusive();

  bool is_open() const;

 private:
  enum class State : std::uint8_t { Closed, Open, HalfOpen };
  mutable std::mutex mu_;
  const int threshold_;
  const std::chrono::milliseconds cooldown_;
  State state_ = State::Closed;
  int failures_ = 0;
  Clock::time_point reopen_at_{};
};

}  // namespace zcache::client
