// Runs a server on a libuv loop until SIGTERM or SIGINT, then shuts it down gracefully (stop
// accepting, finish in-flight requests) and returns 0 once every handle is closed.
#pragma once

#include <uv.h>

#include <functional>

namespace zcache::app {

// Holds SIGTERM and SIGINT back until run_until_signal is ready for them, so a signal that
// arrives while the server starts (after it printed its port) still drains it. Call first thing;
// threads started later inherit the mask, which keeps the signals on the loop's thread.
void hold_stop_signals();

// `shutdown(done)` must begin a graceful shutdown and call `done` when finished.
int run_until_signal(uv_loop_t* loop, const char* component, std::function<void(std::function<void()> done)> shutdown);

}  // namespace zcache::app
