#include "app/run_loop.h"

#include "log/log.h"

#include <pthread.h>

#include <csignal>
#include <string>

namespace zcache::app {
namespace {

struct SignalState {
  uv_signal_t term, intr;
  std::function<void(std::function<void()>)> shutdown;
  const char* component;
  bool stopping = false;
};

void on_signal(uv_signal_t* handle, int signum) {
  auto* s = static_cast<SignalState*>(handle->data);
  if (s->stopping) return;
  s->stopping = true;
  logging::log_line(s->component, std::string("received ") + (signum == SIGTERM ? "SIGTERM" : "SIGINT") + ", draining");
  uv_signal_stop(&s->term);
  uv_signal_stop(&s->intr);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->term), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&s->intr), nullptr);
  s->shutdown([s] { logging::log_line(s->component, "stopped"); });
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void hold_stop_signals() {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int run_until_signal(uv_loop_t* loop, const char* component, std::function<void(std::function<void()>)> shutdown) {
  SignalState state;
  state.shutdown = std::move(shutdown);
  state.component = component;
  uv_signal_init(loop, &state.term);
  uv_signal_init(loop, &state.intr);
  state.term.data = state.intr.data = &state;
  uv_signal_start(&state.term, on_signal, SIGTERM);
  uv_signal_start(&state.intr, on_signal, SIGINT);
  std::signal(SIGPIPE, SIG_IGN);
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);  // a signal held since start-up arrives now
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}

}  // namespace zcache::app
