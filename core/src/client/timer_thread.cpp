#include "client/timer_thread.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace zcache::client {

// Shared with the thread so a stop() from the thread itself (detach) leaves it valid.
struct TimerThread::State {
  std::mutex mu;
  std::condition_variable cv;
  std::multimap<std::chrono::steady_clock::time_point, Task> tasks;  // equal times keep post order
  bool stopping = false;
  std::thread thread;
};

void TimerThread::run(const std::shared_ptr<State>& s) {
  std::unique_lock lock(s->mu);
  for (;;) {
    if (s->stopping) {
      auto tasks = std::move(s->tasks);
      s->tasks.clear();
      lock.unlock();
      for (auto& [when, task] : tasks) task(true);
      return;
    }
    if (s->tasks.empty()) {
      s->cv.wait(lock);
      continue;
    }
    auto first = s->tasks.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      s->cv.wait_until(lock, first->first);
      continue;
    }
    TimerThread::Task task = std::move(first->second);
    s->tasks.erase(first);
    lock.unlock();
    task(false);  // tasks never throw: they only complete calls or send requests
    lock.lock();
  }
}

TimerThread::TimerThread() : state_(std::make_shared<State>()) {
  state_->thread = std::thread([s = state_] { run(s); });
}

TimerThread::~TimerThread() { stop(); }

void TimerThread::post(std::chrono::milliseconds delay, Task task) {
  {
    std::lock_guard lock(state_->mu);
    if (!state_->stopping) {
      state_->tasks.emplace(std::chrono::steady_clock::now() + delay, std::move(task));
      state_->cv.notify_one();
      return;
    }
  }
  task(true);
}

void TimerThread::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
    state_->cv.notify_one();
  }
  if (!state_->thread.joinable()) return;
  if (state_->thread.get_id() == std::this_thread::get_id()) state_->thread.detach();
  else state_->thread.join();
}

}  // namespace zcache::client
