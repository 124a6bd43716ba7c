#include "client/circuit_breaker.h"

namespace zcache::client {

bool CircuitBreaker::allow() {
  if (threshold_ == 0) return true;
  std::lock_guard lock(mu_);
  switch (state_) {
    case State::Closed: return true;
    case State::HalfOpen: return false;  // a trial is out; everyone else waits for its verdict
    case State::Open:
      if (Clock::now() < reopen_at_) return false;
      state_ = State::HalfOpen;
      return true;
  }
  return true;
}

void CircuitBreaker::on_answer() {
  if (threshold_ == 0) return;
  std::lock_guard lock(mu_);
  state_ = State::Closed;
  failures_ = 0;
}

void CircuitBreaker::on_transport_failure() {
  if (threshold_ == 0) return;
  std::lock_guard lock(mu_);
  ++failures_;
  if (state_ == State::HalfOpen || (state_ == State::Closed && failures_ >= threshold_)) {
    state_ = State::Open;
    reopen_at_ = Clock::now() + cooldown_;
  }
}

void CircuitBreaker::on_inconclusive() {
  if (threshold_ == 0) return;
  std::lock_guard lock(mu_);
  // A trial that proved nothing: let the next caller try again rather than stay half-open forever.
  if (state_ == State::HalfOpen) {
    state_ = State::Open;
    reopen_at_ = Clock::now();
  }
}

bool CircuitBreaker::is_open() const {
  std::lock_guard lock(mu_);
  return state_ != State::Closed;
}

}  // namespace zcache::client
