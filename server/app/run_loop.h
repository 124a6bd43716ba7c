// Runs a server on a libuv loop until SIGTERM or SIGINT, then shuts it down gracefully (stop
// accepting, finish in-flight requests) and returns 0 once every handle is closed.
#pragma once

#include <uv.h>

#include <functional>

namespace zcache::app {

// `shutdown(done)` must begin a graceful shutdown and call `done` when finished.
int run_until_signal(uv_loop_t* loop, const char* component, std::function<void(std::function<void()> done)> shutdown);

}  // namespace zcache::app
