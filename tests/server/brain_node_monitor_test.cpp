// NodeMonitor: the health prober's offline/online transitions and the metrics poller's samples,
// with fake workers and rounds driven by the test (plus one run on real, tiny timers).
#include "brain_api_fixture.h"

#include <chrono>

#include "auth/bearer.h"

namespace zcache::brain::testing {
namespace {

const nlohmann::json kWorkerMetrics = {
    {"hits", 90},         {"stale_hits", 5},     {"misses", 10},        {"bytes_served", 4096},
    {"bytes_stored", 777}, {"capacity_bytes", 1000}, {"object_count", 12}, {"evictions", 3},
    {"latency", histogram_to_json([] {
       LatencyHistogram h;
       h.record(1500, 100);
       return h;
     }())}};

// Health answers per endpoint, switchable while the test runs.
struct HealthSwitch {
  std::mutex mu;
  std::map<std::string, bool> up;
  void set(const std::string& endpoint, bool is_up) {
    std::lock_guard lock(mu);
    up[endpoint] = is_up;
  }
  FakeTransport::Answer answer() {
    return [this](const HttpRequest& r) -> std::optional<HttpResponse> {
      std::lock_guard lock(mu);
      for (auto& [endpoint, is_up] : up) {
        if (r.url == endpoint + "/health") {
          if (is_up) return http_answer(200, R"({"status":"ok"})");
          return transport_failure(TransportError::Connect);
        }
        if (r.url == endpoint + "/metrics") return http_answer(200, kWorkerMetrics.dump());
      }
      return transport_failure(TransportError::Connect);
    };
  }
};

NodeStatus status_of(BrainStore& store, const std::string& id) { return store.get_node(id).value().status; }

TEST_F(BrainApiTest, MonitorMarksANodeOfflineAfterNFailuresAndOnlineAfterASuccess) {
  HealthSwitch health;
  health.set("http://a.example:1", true);
  health.set("http://b.example:2", false);
  transport_.set_answer(health.answer());
  const std::string a = register_node("http://a.example:1");
  const std::string b = register_node("http://b.example:2");

  probe_round();
  probe_round();
  EXPECT_EQ(status_of(*store_, b), NodeStatus::Online);  // two failures: not yet
  probe_round();
  EXPECT_EQ(status_of(*store_, b), NodeStatus::Offline);  // the third
  EXPECT_EQ(status_of(*store_, a), NodeStatus::Online);
  EXPECT_EQ(call("GET", "/v1/cache/status").json["online_nodes"], 1);

  health.set("http://b.example:2", true);
  now_ms_ += 10'000;
  probe_round();
  EXPECT_EQ(status_of(*store_, b), NodeStatus::Online);  // one success is enough
  EXPECT_EQ(store_->get_node(b)->last_seen_at_ms, now_ms_.load());
  EXPECT_EQ(call("GET", "/v1/cache/nodes/" + b).json["status"], "online");

  // A success in between resets the streak.
  health.set("http://b.example:2", false);
  probe_round();
  probe_round();
  health.set("http://b.example:2", true);
  probe_round();
  health.set("http://b.example:2", false);
  probe_round();
  probe_round();
  EXPECT_EQ(status_of(*store_, b), NodeStatus::Online);
}

TEST_F(BrainApiTest, MonitorTreatsHungAndErroringNodesAsFailures) {
  transport_.set_answer([](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.url.rfind("http://hang.example:1", 0) == 0) return std::nullopt;
    return http_answer(503, "");
  });
  const std::string hang = register_node("http://hang.example:1");
  const std::string err = register_node("http://err.example:2");
  for (int i = 0; i < 3; ++i) probe_round();  // each round ends at its deadline
  EXPECT_EQ(status_of(*store_, hang), NodeStatus::Offline);
  EXPECT_EQ(status_of(*store_, err), NodeStatus::Offline);
}

TEST_F(BrainApiTest, MonitorLeavesDrainingNodesAlone) {
  transport_.set_answer([](const HttpRequest&) { return transport_failure(TransportError::Timeout); });
  const std::string d = register_node("http://d.example:1");
  ASSERT_TRUE(store_->set_status(d, NodeStatus::Draining));
  for (int i = 0; i < 4; ++i) probe_round();
  EXPECT_EQ(status_of(*store_, d), NodeStatus::Draining);
}

TEST_F(BrainApiTest, MetricsPollerRecordsSamplesAndUsage) {
  HealthSwitch health;
  health.set("http://a.example:1", true);
  transport_.set_answer(health.answer());
  const std::string a = register_node("http://a.example:1", 1000);
  const std::string off = register_node("http://off.example:2", 1000);
  ASSERT_TRUE(store_->set_status(off, NodeStatus::Offline));
  now_ms_ += 30'000;
  poll_round();

  // Only the online node was polled, with a token it can verify.
  const auto sent = transport_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].url, "http://a.example:1/metrics");
  EXPECT_EQ(sent[0].method, "GET");
  EXPECT_TRUE(auth::authenticate_bearer(sent[0].headers.get("Authorization"), kSecret, now_ms_.load() / 1000).ok());

  const auto sample = store_->latest_sample(a);
  ASSERT_TRUE(sample.has_value());
  EXPECT_EQ(sample->collected_at_ms, now_ms_.load());
  EXPECT_EQ(sample->counters.hits, 90u);
  EXPECT_EQ(sample->counters.misses, 10u);
  EXPECT_EQ(sample->counters.bytes_stored, 777u);
  EXPECT_EQ(sample->latency.count(), 100u);
  const Node node = store_->get_node(a).value();
  EXPECT_EQ(node.used_bytes, 777);
  EXPECT_EQ(node.object_count, 12);
  EXPECT_EQ(node.last_seen_at_ms, now_ms_.load());

  // And the API shows it.
  const nlohmann::json m = call("GET", "/v1/cache/nodes/" + a + "/metrics").json;
  EXPECT_EQ(m["hits"], 90);
  EXPECT_EQ(m["collected_at"], "2026-03-06T12:00:30Z");
  EXPECT_EQ(call("GET", "/v1/cache/status").json["used_cache_bytes"], 777);
}

TEST_F(BrainApiTest, MetricsPollerIgnoresBadAnswers) {
  int round = 0;
  transport_.set_answer([&round](const HttpRequest&) -> std::optional<HttpResponse> {
    nlohmann::json body = kWorkerMetrics;
    switch (round) {
      case 0: return http_answer(200, "garbage");
      case 1: body["hits"] = -1; break;
      case 2: body["misses"] = 1.5; break;
      case 3: body.erase("latency"); break;
      case 4: body["latency"]["layout"] = "other"; break;
      case 5: return http_answer(401, R"({"error":{}})");
      default: return std::nullopt;
    }
    return http_answer(200, body.dump());
  });
  const std::string a = register_node("http://a.example:1");
  for (round = 0; round <= 6; ++round) {
    poll_round();
    EXPECT_FALSE(store_->latest_sample(a).has_value()) << "round " << round;
  }
}

TEST_F(BrainApiTest, MonitorTimersRunTheJobs) {
  stop();
  NodeMonitorOptions o = default_monitor_options();
  o.health_interval_ms = 5;
  o.metrics_interval_ms = 5;
  start({}, o);
  HealthSwitch health;
  health.set("http://a.example:1", true);
  health.set("http://b.example:2", false);
  transport_.set_answer(health.answer());
  const std::string a = register_node("http://a.example:1");
  const std::string b = register_node("http://b.example:2");
  server_->run_on_loop([&] { monitor_->start(); });

  // Eventually (no timing asserted): b goes offline, a gets a sample.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < give_up &&
         (status_of(*store_, b) != NodeStatus::Offline || !store_->latest_sample(a).has_value()))
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(status_of(*store_, b), NodeStatus::Offline);
  EXPECT_EQ(status_of(*store_, a), NodeStatus::Online);
  EXPECT_TRUE(store_->latest_sample(a).has_value());

  health.set("http://b.example:2", true);
  while (std::chrono::steady_clock::now() < give_up && status_of(*store_, b) != NodeStatus::Online)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(status_of(*store_, b), NodeStatus::Online);
  stop();  // the timers keep sending until then, and `health` answers them
}

}  // namespace
}  // namespace zcache::brain::testing
