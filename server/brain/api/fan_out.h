// brain/api/fan_out.h — sends several requests in parallel and collects the answers on the loop
// thread, within a deadline. Shared by the purge fan-out and the node monitor's rounds.
//
// The deadline is the fan-out's own (a uv timer), not only the transport's timeout: a transport
// that never calls back cannot stall a purge or a monitor round. A request without an answer at
// the deadline is reported as TransportError::Timeout; answers arriving later are dropped.
//
// Threading: call on the loop thread; `on_answer` and `on_done` run there. Transport callbacks may
// run on any thread and hop to the loop through `post`. If `post` refuses (the server has shut
// down), that answer is lost and the deadline completes the fan-out.
//
// Lifetime: the fan-out keeps itself alive until its timer is closed; whatever `on_answer` and
// `on_done` reference must live until `on_done` has run (in practice: until the loop ends).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "brain/api/loop_poster.h"
#include "brain/api/node_transport.h"

namespace zcache::brain {

struct FanOutCallbacks {
  std::function<void(std::size_t index, HttpResponse response)> on_answer;  // once per request
  std::function<void()> on_done;  // after the last on_answer; at once when `requests` is empty
};

void fan_out(uv_loop_t* loop, LoopPoster post, NodeTransport& transport, std::vector<HttpRequest> requests,
             std::int64_t deadline_ms, FanOutCallbacks callbacks);

}  // namespace zcache::brain
