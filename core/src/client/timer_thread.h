// timer_thread.h — one thread that runs tasks after a delay: retry backoff, and results that need no
// network (no-ops, fail-fast, bad arguments) so `done` never runs inline in a call.
//
// The HttpClient has no timer of its own to lend; blocking its thread for a backoff would stall
// every other request, so the brain client keeps this small thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace zcache::client {

class TimerThread {
 public:
  // `cancelled` is true when the task runs because of stop(), not because its time came.
  using Task = std::function<void(bool cancelled)>;

  TimerThread();
  ~TimerThread();  // stop()
  TimerThread(const TimerThread&) = delete;
  TimerThread& operator=(const TimerThread&) = delete;

  // Runs `task(false)` on the timer thread after `delay`. After stop() began it runs `task(true)`
  // at once on the calling thread.
  void post(std::chrono::milliseconds delay, Task task);
  // Runs every pending task with `true` (on the timer thread), then ends the thread: joins it,
  // or detaches when called on the timer thread itself. Idempotent.
  void stop();

 private:
  struct State;
  static void run(const std::shared_ptr<State>& state);  // the thread's body
  std::shared_ptr<State> state_;
};

}  // namespace zcache::client
