#include "brain/api/node_monitor.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "brain/api/fan_out.h"
#include "brain/api/worker_metrics_format.h"
#include "log/log.h"

namespace zcache::brain {
namespace {

std::string describe_failure(const HttpResponse& r) {
  if (!r.ok()) return std::string(transport_error_name(r.error)) + ": " + r.error_message;
  return "HTTP " + std::to_string(r.status);
}

bool is_2xx(const HttpResponse& r) { return r.ok() && r.status >= 200 && r.status < 300; }

}  // namespace

NodeMonitor::NodeMonitor(BrainStore& store, uv_loop_t* loop, LoopPoster post, NodeTransport& transport,
                         NodeMonitorOptions options)
    : store_(store), loop_(loop), post_(std::move(post)), transport_(transport), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = system_now_ms;
  options_.offline_after = std::max(1, options_.offline_after);
}

NodeMonitor::~NodeMonitor() {
  if (open_timers_ > 0) {
    // libuv still holds pointers into this object: freeing it would corrupt the loop.
    std::fputs("zcache brain: NodeMonitor destroyed before stop() completed\n", stderr);
    std::abort();
  }
}

void NodeMonitor::start() {
  if (started_) return;
  started_ = true;
  auto init = [this](uv_timer_t& timer, std::int64_t interval, Job job) {
    uv_timer_init(loop_, &timer);
    timer.data = this;
    ++open_timers_;
    const auto ms = static_cast<std::uint64_t>(std::max<std::int64_t>(1, interval));
    auto tick = job == Job::Health
                    ? +[](uv_timer_t* t) { static_cast<NodeMonitor*>(t->data)->request_round(Job::Health, {}, true); }
                    : +[](uv_timer_t* t) { static_cast<NodeMonitor*>(t->data)->request_round(Job::Metrics, {}, true); };
    uv_timer_start(&timer, tick, ms, ms);
  };
  init(health_timer_, options_.health_interval_ms, Job::Health);
  init(metrics_timer_, options_.metrics_interval_ms, Job::Metrics);
}

void NodeMonitor::stop(std::function<void()> done) {
  if (open_timers_ == 0) {
    if (done) done();
    return;
  }
  if (done) stopped_.push_back(std::move(done));
  for (uv_timer_t* timer : {&health_timer_, &metrics_timer_}) {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(timer))) continue;  // a second stop()
    uv_timer_stop(timer);
    uv_close(reinterpret_cast<uv_handle_t*>(timer), [](uv_handle_t* h) {
      auto* self = static_cast<NodeMonitor*>(h->data);
      if (--self->open_timers_ > 0) return;
      auto stopped = std::move(self->stopped_);
      self->stopped_.clear();
      for (auto& f : stopped) f();
    });
  }
}

void NodeMonitor::probe_now(std::function<void()> done) { request_round(Job::Health, std::move(done), false); }
void NodeMonitor::poll_now(std::function<void()> done) { request_round(Job::Metrics, std::move(done), false); }

int NodeMonitor::failure_streak(const std::string& node_id) const {
  const auto it = failures_.find(node_id);
  return it == failures_.end() ? 0 : it->second;
}

void NodeMonitor::request_round(Job job, std::function<void()> done, bool from_timer) {
  Round& r = round(job);
  if (r.running) {
    if (from_timer) return;  // the previous round is late: skip this tick rather than pile up
    r.again = true;
    if (done) r.next_waiters.push_back(std::move(done));
    return;
  }
  r.running = true;
  if (done) r.waiters.push_back(std::move(done));
  begin_round(job);
}

void NodeMonitor::begin_round(Job job) {
  try {
    if (job == Job::Health) begin_health_round();
    else begin_metrics_round();
  } catch (const std::exception& e) {  // StoreError listing nodes, a bad secret minting a token
    log(std::string(job == Job::Health ? "health" : "metrics") + " round skipped: " + e.what());
    end_round(job);
  }
}

void NodeMonitor::end_round(Job job) {
  Round& r = round(job);
  r.running = false;
  auto waiters = std::move(r.waiters);
  r.waiters.clear();
  if (r.again) {
    r.again = false;
    r.running = true;
    r.waiters = std::move(r.next_waiters);
    r.next_waiters.clear();
    begin_round(job);
  }
  for (auto& w : waiters) w();
}

void NodeMonitor::begin_health_round() {
  const std::vector<Node> nodes = store_.list_nodes();
  // Forget streaks of nodes that were deregistered.
  std::unordered_map<std::string, int> kept;
  for (const Node& n : nodes)
    if (auto it = failures_.find(n.node_id); it != failures_.end()) kept.insert(*it);
  failures_.swap(kept);

  std::vector<HttpRequest> requests;
  auto ids = std::make_shared<std::vector<std::string>>();
  for (const Node& n : nodes) {
    HttpRequest req;
    req.url = n.endpoint + "/health";
    req.timeout_ms = options_.health_timeout_ms;
    requests.push_back(std::move(req));
    ids->push_back(n.node_id);
  }
  FanOutCallbacks cb;
  cb.on_answer = [this, ids](std::size_t i, HttpResponse r) { on_probe((*ids)[i], r); };
  cb.on_done = [this] { end_round(Job::Health); };
  fan_out(loop_, post_, transport_, std::move(requests), options_.health_timeout_ms, std::move(cb));
}

void NodeMonitor::on_probe(const std::string& node_id, const HttpResponse& r) {
  try {
    const std::optional<Node> node = store_.get_node(node_id);
    if (!node) return;  // deregistered while the probe was out
    if (is_2xx(r)) {
      failures_[node_id] = 0;
      store_.touch(node_id, options_.now_ms(), node->used_bytes, node->object_count);
      if (node->status == NodeStatus::Offline) {
        store_.set_status(node_id, NodeStatus::Online);
        log(node_id + " (" + node->endpoint + ") is online again");
      }
      return;
    }
    const int streak = ++failures_[node_id];
    if (node->status == NodeStatus::Online && streak >= options_.offline_after) {
      store_.set_status(node_id, NodeStatus::Offline);
      log(node_id + " (" + node->endpoint + ") is offline after " + std::to_string(streak) +
          " failed health checks: " + describe_failure(r));
    }
  } catch (const StoreError& e) {
    log("health check of " + node_id + " not recorded: " + e.what());
  }
}

void NodeMonitor::begin_metrics_round() {
  const std::vector<Node> nodes = store_.list_nodes();
  std::vector<HttpRequest> requests;
  auto ids = std::make_shared<std::vector<std::string>>();
  std::string token;
  for (const Node& n : nodes) {
    if (n.status == NodeStatus::Offline) continue;
    if (token.empty()) {
      auth::MintOptions mint;
      mint.sub = "brain";
      mint.now = options_.now_ms() / 1000;
      mint.ttl_seconds = std::max<std::int64_t>(60, options_.metrics_timeout_ms / 1000 + 60);
      token = auth::mint_token(options_.secret, mint);
    }
    HttpRequest req;
    req.url = n.endpoint + "/metrics";
    req.headers.add("Authorization", "Bearer " + token);
    req.timeout_ms = options_.metrics_timeout_ms;
    requests.push_back(std::move(req));
    ids->push_back(n.node_id);
  }
  FanOutCallbacks cb;
  cb.on_answer = [this, ids](std::size_t i, HttpResponse r) { on_poll((*ids)[i], r); };
  cb.on_done = [this] { end_round(Job::Metrics); };
  fan_out(loop_, post_, transport_, std::move(requests), options_.metrics_timeout_ms, std::move(cb));
}

void NodeMonitor::on_poll(const std::string& node_id, const HttpResponse& r) {
  std::string why;
  if (r.ok() && r.status == 200) {
    const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
    if (const auto report = parse_worker_metrics(body, &why)) {
      try {
        const std::int64_t now = options_.now_ms();
        if (store_.record_sample(node_id, now, report->counters, report->latency)) {
          const auto clamp = [](std::uint64_t v) { return static_cast<std::int64_t>(std::min<std::uint64_t>(v, INT64_MAX)); };
          store_.touch(node_id, now, clamp(report->counters.bytes_stored), clamp(report->counters.object_count));
        }
        if (poll_failing_.erase(node_id)) log("metrics of " + node_id + " are being collected again");
      } catch (const StoreError& e) {
        log("metrics of " + node_id + " not recorded: " + e.what());
      }
      return;
    }
    why = "bad metrics answer: " + why;
  } else {
    why = describe_failure(r);
  }
  if (poll_failing_.insert(node_id).second) log("cannot collect metrics of " + node_id + ": " + why);
}

void NodeMonitor::log(const std::string& line) {
  if (options_.log) options_.log(line);
  else logging::log_line("brain", line);
}

}  // namespace zcache::brain
