// brain/api/purge_fanout.h — sends one purge to every target node in parallel and sums what they
// report, within a deadline.
//
// Each node gets `POST {endpoint}/purge` with the selector as body and a Bearer token. A node
// counts as answered when it replies 200 with {"objects_purged": N, "bytes_freed": N}
// (non-negative integers); anything else — a transport error, another status, a malformed body,
// or no answer before the deadline — counts it in nodes_failed. The deadline is fan_out.h's own,
// so the purge always completes, whatever the transport does.
//
// Threading: call on the loop thread; `done` runs there (see fan_out.h).
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "brain/api/fan_out.h"
#include "brain/store/node.h"
#include "brain/store/purge_record.h"

namespace zcache::brain {

struct PurgeFailure {
  std::string node_id;
  std::string reason;  // "timed out", "HTTP 500", "connect: ...", "bad answer: ..."
};

struct PurgeOutcome {
  PurgeCounts counts;                  // sums over the nodes that answered; nodes_affected = how many
  std::vector<PurgeFailure> failures;  // one per node that did not
};

struct PurgeFanOutRequest {
  std::vector<Node> targets;
  std::string body;    // the normalized selector, JSON
  std::string token;   // Bearer token for the workers
  std::int64_t timeout_ms = 5000;
};

// Starts the fan-out; `done` runs once on the loop thread (at once when there are no targets).
void start_purge_fanout(uv_loop_t* loop, LoopPoster post, NodeTransport& transport, PurgeFanOutRequest request,
                        std::function<void(PurgeOutcome)> done);

// A worker's purge answer → counts; false when it is not the documented shape.
bool parse_purge_answer(const std::string& body, std::int64_t& objects_purged, std::int64_t& bytes_freed);

}  // namespace zcache::brain
