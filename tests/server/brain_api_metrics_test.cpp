// /v1/cache/status, /v1/cache/metrics, /v1/cache/nodes/:id/metrics and Prometheus /metrics,
// computed from samples recorded in the store.
#include "brain_api_fixture.h"

#include <cmath>

namespace zcache::brain::testing {
namespace {

MetricCounters counters(std::uint64_t hits, std::uint64_t misses, std::uint64_t served, std::uint64_t stored,
                        std::uint64_t capacity, std::uint64_t objects, std::uint64_t evictions) {
  MetricCounters c;
  c.hits = hits;
  c.misses = misses;
  c.bytes_served = served;
  c.bytes_stored = stored;
  c.capacity_bytes = capacity;
  c.object_count = objects;
  c.evictions = evictions;
  return c;
}

// A busy fast node and a quiet slow one: the merged p99 is not the mean of the two p99s.
LatencyHistogram fast_node_latency() {
  LatencyHistogram h;
  h.record(1'000, 990);   // 1 ms
  h.record(3'000, 10);    // 3 ms
  return h;
}
LatencyHistogram slow_node_latency() {
  LatencyHistogram h;
  h.record(200'000, 10);  // 200 ms
  return h;
}

double ms(double us) { return std::round(us) / 1000.0; }

TEST_F(BrainApiTest, ClusterMetricsMergeHistogramsAndSumCounters) {
  const std::string a = register_node("http://a.example:1", 1000);
  const std::string b = register_node("http://b.example:2", 3000);
  ASSERT_TRUE(store_->record_sample(a, kStartMs + 1000, counters(900, 100, 5000, 400, 1000, 4, 1), fast_node_latency()));
  ASSERT_TRUE(store_->record_sample(b, kStartMs + 2000, counters(50, 150, 700, 600, 3000, 6, 2), slow_node_latency()));
  ASSERT_TRUE(store_->set_status(b, NodeStatus::Offline));

  const ApiResponse r = call("GET", "/v1/cache/metrics");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json& m = r.json;
  EXPECT_EQ(m["total_hits"], 950);
  EXPECT_EQ(m["total_misses"], 250);
  EXPECT_DOUBLE_EQ(m["hit_ratio"].get<double>(), 950.0 / 1200.0);
  EXPECT_EQ(m["bytes_served"], 5700);
  EXPECT_EQ(m["bytes_stored"], 1000);
  EXPECT_EQ(m["bytes_capacity"], 4000);
  EXPECT_EQ(m["object_count"], 10);
  EXPECT_EQ(m["evictions"], 3);
  EXPECT_EQ(m["active_nodes"], 1);  // b is offline
  EXPECT_EQ(m["collected_at"], "2026-03-06T12:00:02Z");  // the newest sample

  LatencyHistogram merged = fast_node_latency();
  merged.merge(slow_node_latency());
  EXPECT_DOUBLE_EQ(m["avg_latency_ms"].get<double>(), ms(merged.mean_us()));
  EXPECT_DOUBLE_EQ(m["p95_latency_ms"].get<double>(), ms(merged.percentile_us(95)));
  EXPECT_DOUBLE_EQ(m["p99_latency_ms"].get<double>(), ms(merged.percentile_us(99)));
  // 1% of all requests are the slow node's 200 ms ones: the merged p99 sits at ~3 ms... and the
  // averaged p99s would be ~100 ms. Check we did not average.
  const double averaged_p99 = (ms(fast_node_latency().percentile_us(99)) + ms(slow_node_latency().percentile_us(99))) / 2;
  EXPECT_GT(std::abs(m["p99_latency_ms"].get<double>() - averaged_p99), 10.0);
  EXPECT_EQ(m.size(), 13u) << m.dump();
}

TEST_F(BrainApiTest, ClusterMetricsWithoutSamples) {
  register_node("http://a.example:1", 1000);
  const ApiResponse r = call("GET", "/v1/cache/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["total_hits"], 0);
  EXPECT_EQ(r.json["hit_ratio"], 0.0);
  EXPECT_EQ(r.json["p99_latency_ms"], 0.0);
  EXPECT_EQ(r.json["active_nodes"], 1);
  EXPECT_EQ(r.json["collected_at"], "2026-03-06T12:00:00Z");  // now
}

TEST_F(BrainApiTest, MetricsUseEachNodesNewestSample) {
  const std::string a = register_node("http://a.example:1");
  ASSERT_TRUE(store_->record_sample(a, kStartMs + 1000, counters(1, 1, 1, 1, 1, 1, 1), fast_node_latency()));
  ASSERT_TRUE(store_->record_sample(a, kStartMs + 5000, counters(30, 10, 2, 2, 2, 2, 2), slow_node_latency()));
  const nlohmann::json m = call("GET", "/v1/cache/metrics").json;
  EXPECT_EQ(m["total_hits"], 30);
  EXPECT_DOUBLE_EQ(m["hit_ratio"].get<double>(), 0.75);
  EXPECT_EQ(m["collected_at"], "2026-03-06T12:00:05Z");
}

TEST_F(BrainApiTest, StatusSumsTheRegistryAndTheSamplesHitRatio) {
  const std::string a = register_node("http://a.example:1", 1000);
  const std::string b = register_node("http://b.example:2", 3000);
  register_node("http://c.example:3", 500);
  ASSERT_TRUE(store_->touch(a, kStartMs, 250, 5));
  ASSERT_TRUE(store_->touch(b, kStartMs, 750, 9));
  ASSERT_TRUE(store_->set_status(b, NodeStatus::Offline));
  ASSERT_TRUE(store_->record_sample(a, kStartMs, counters(80, 20, 0, 0, 0, 0, 0), {}));
  ASSERT_TRUE(store_->record_sample(b, kStartMs, counters(10, 90, 0, 0, 0, 0, 0), {}));

  const ApiResponse r = call("GET", "/v1/cache/status");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json["brain_healthy"], true);
  EXPECT_EQ(r.json["total_nodes"], 3);
  EXPECT_EQ(r.json["online_nodes"], 2);
  EXPECT_EQ(r.json["total_cache_bytes"], 4500);
  EXPECT_EQ(r.json["used_cache_bytes"], 1000);
  EXPECT_DOUBLE_EQ(r.json["hit_ratio"].get<double>(), 90.0 / 200.0);
  EXPECT_EQ(r.json.size(), 6u);
}

TEST_F(BrainApiTest, PerNodeMetrics) {
  const std::string a = register_node("http://a.example:1", 1000);
  const ApiResponse empty = call("GET", "/v1/cache/nodes/" + a + "/metrics");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.json["node_id"], a);
  EXPECT_EQ(empty.json["hits"], 0);
  EXPECT_EQ(empty.json["hit_ratio"], 0.0);
  EXPECT_EQ(empty.json["capacity_bytes"], 1000);  // from the registry until polled
  EXPECT_TRUE(empty.json["collected_at"].is_null());

  ASSERT_TRUE(store_->record_sample(a, kStartMs + 3000, counters(900, 100, 5000, 400, 999, 4, 1), fast_node_latency()));
  const ApiResponse r = call("GET", "/v1/cache/nodes/" + a + "/metrics");
  ASSERT_EQ(r.status, 200);
  const nlohmann::json& m = r.json;
  EXPECT_EQ(m["hits"], 900);
  EXPECT_EQ(m["misses"], 100);
  EXPECT_DOUBLE_EQ(m["hit_ratio"].get<double>(), 0.9);
  EXPECT_EQ(m["bytes_served"], 5000);
  EXPECT_EQ(m["bytes_stored"], 400);
  EXPECT_EQ(m["capacity_bytes"], 999);
  EXPECT_EQ(m["object_count"], 4);
  EXPECT_EQ(m["evictions"], 1);
  EXPECT_DOUBLE_EQ(m["avg_latency_ms"].get<double>(), ms(fast_node_latency().mean_us()));
  EXPECT_DOUBLE_EQ(m["p95_latency_ms"].get<double>(), ms(fast_node_latency().percentile_us(95)));
  EXPECT_DOUBLE_EQ(m["p99_latency_ms"].get<double>(), ms(fast_node_latency().percentile_us(99)));
  EXPECT_EQ(m["collected_at"], "2026-03-06T12:00:03Z");
  EXPECT_EQ(m.size(), 13u) << m.dump();
}

TEST_F(BrainApiTest, PrometheusExposition) {
  const std::string a = register_node("http://a.example:1", 1000);
  const std::string b = register_node("http://b.example:2", 3000);
  ASSERT_TRUE(store_->set_status(b, NodeStatus::Offline));
  ASSERT_TRUE(store_->record_sample(a, kStartMs, counters(7, 3, 100, 40, 1000, 2, 1), {}));
  call("GET", "/v1/cache/nodes/node_0000000000000000");  // a 404 to count

  const ApiResponse r = call("GET", "/metrics", {}, "");  // no token needed
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& t = r.body;
  for (const char* line :
       {"# TYPE zcache_nodes gauge\n", "zcache_nodes{status=\"online\"} 1\n", "zcache_nodes{status=\"offline\"} 1\n",
        "zcache_nodes{status=\"draining\"} 0\n", "# TYPE zcache_cache_hits_total counter\n", "zcache_cache_hits_total 7\n",
        "zcache_cache_misses_total 3\n", "zcache_bytes_served_total 100\n", "zcache_bytes_stored 40\n",
        "zcache_capacity_bytes 1000\n", "zcache_objects 2\n", "zcache_evictions_total 1\n", "zcache_cache_hit_ratio 0.7\n",
        "# TYPE zcache_purges_total counter\n", "zcache_purges_total 0\n",
        "# TYPE zcache_http_requests_total counter\n",
        "zcache_http_requests_total{route=\"/v1/cache/nodes/register\",code=\"201\"} 2\n",
        "zcache_http_requests_total{route=\"/v1/cache/nodes/:node_id\",code=\"404\"} 1\n"})
    EXPECT_NE(t.find(line), std::string::npos) << line << "\n--- in ---\n" << t;
  // Every family has HELP and TYPE.
  for (const char* name : {"zcache_nodes", "zcache_cache_hits_total", "zcache_bytes_stored", "zcache_http_requests_total"}) {
    EXPECT_NE(t.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
    EXPECT_NE(t.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace zcache::brain::testing
