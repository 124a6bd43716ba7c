// brain/api/node_monitor.h — the brain's background jobs, on uv timers of its event loop:
//
//  - Health prober, every health_interval_ms: `GET {endpoint}/health` (no token) to every
//    registered node. A 2xx answer resets the node's failure streak, refreshes last_seen_at and
//    turns an offline node online; offline_after consecutive failures (transport error, timeout,
//    any other status) turn an online node offline. Draining nodes are probed but their status
//    is left alone (draining is an operator's decision).
//  - Metrics poller, every metrics_interval_ms (ZCACHE_METRICS_INTERVAL): `GET {endpoint}/metrics`
//    with a Bearer token to every node that is not offline; a valid answer (worker_metrics_format.h)
//    becomes a sample (record_sample) and updates the node's used_bytes/object_count (touch).
//
// Rounds never overlap: a timer tick while the previous round of the same job is still running is
// skipped; probe_now()/poll_now() during a round run another round right after it. Each round has
// a deadline (fan_out.h), so a dead node delays nothing.
//
// Threading: construct, start, stop and call *_now on the loop thread. Store calls happen there
// too (short, indexed statements).
// Lifetime: stop() before the loop ends; destroy only after the loop has ended (round callbacks
// reference the monitor until then). Destroying it with its timers open aborts.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "brain/api/brain_clock.h"
#include "brain/api/loop_poster.h"
#include "brain/api/node_transport.h"
#include "brain/store/brain_store.h"

namespace zcache::brain {

struct NodeMonitorOptions {
  std::string secret;                          // signs the metrics poller's tokens
  NowMs now_ms = system_now_ms;
  std::int64_t health_interval_ms = 5'000;
  std::int64_t health_timeout_ms = 2'000;
  int offline_after = 3;                       // consecutive failed probes → offline
  std::int64_t metrics_interval_ms = 30'000;   // ZCACHE_METRICS_INTERVAL
  std::int64_t metrics_timeout_ms = 10'000;    // ZCACHE_TIMEOUT
  // One line per event (status changes, poll failures); null = the shared stderr log.
  std::function<void(std::string_view)> log;
};

class NodeMonitor {
 public:
  NodeMonitor(BrainStore& store, uv_loop_t* loop, LoopPoster post, NodeTransport& transport,
              NodeMonitorOptions options);
  ~NodeMonitor();
  NodeMonitor(const NodeMonitor&) = delete;
  NodeMonitor& operator=(const NodeMonitor&) = delete;

  // Starts both timers; the first round of each runs one interval from now.
  void start();
  // Stops the timers (rounds in flight finish on their own); `done` runs once both are closed.
  void stop(std::function<void()> done = {});

  // One round now; `done` runs on the loop thread when every node of it has answered or timed out.
  void probe_now(std::function<void()> done = {});
  void poll_now(std::function<void()> done = {});

  // The node's current streak of failed probes (0 when unknown).
  int failure_streak(const std::string& node_id) const;

 private:
  enum class Job { Health, Metrics };
  struct Round {
    bool running = false;
    bool again = false;  // probe_now/poll_now asked during the round
    std::vector<std::function<void()>> waiters, next_waiters;
  };

  Round& round(Job job) { return job == Job::Health ? health_round_ : metrics_round_; }
  void request_round(Job job, std::function<void()> done, bool from_timer);
  void begin_round(Job job);
  void end_round(Job job);
  void begin_health_round();
  void begin_metrics_round();
  void on_probe(const std::string& node_id, const HttpResponse& r);
  void on_poll(const std::string& node_id, const HttpResponse& r);
  void log(const std::string& line);

  BrainStore& store_;
  uv_loop_t* loop_;
  LoopPoster post_;
  NodeTransport& transport_;
  NodeMonitorOptions options_;

  uv_timer_t health_timer_{}, metrics_timer_{};
  int open_timers_ = 0;
  bool started_ = false;
  std::vector<std::function<void()>> stopped_;  // stop() callbacks waiting for the timers to close
  Round health_round_, metrics_round_;
  std::unordered_map<std::string, int> failures_;  // node_id → consecutive failed probes
  std::unordered_set<std::string> poll_failing_;   // nodes whose last poll failed (log once per streak)
};

}  // namespace zcache::brain
