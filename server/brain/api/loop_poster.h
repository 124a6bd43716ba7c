// brain/api/loop_poster.h — how work finished on a transport thread gets back to the brain's
// event loop: normally HttpServer::post (thread-safe; refuses once the server has shut down, and
// then destroys the task on the calling thread).
#pragma once

#include <functional>

#include "http/unique_task.h"

namespace zcache::brain {

using LoopPoster = std::function<bool(http::UniqueTask)>;

}  // namespace zcache::brain
