// The brain API with the real transport (core HttpClient) against a real WorkerNode on its own
// loop: registration, the metrics format, purge fan-out and health checks end to end.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "auth/jwt.h"
#include "brain/api/brain_api.h"
#include "brain/api/node_monitor.h"
#include "brain_store_test_util.h"
#include "running_worker.h"
#include "test_client.h"
#include "worker/worker_node.h"

namespace zcache::brain::testing {
namespace {

constexpr const char* kSecret = "real-worker-secret";

std::string token() {
  auth::MintOptions m;
  m.sub = "test";
  m.now = system_now_ms() / 1000;
  return auth::mint_token(kSecret, m);
}

std::optional<http::test::ClientResponse> send(std::uint16_t port, const std::string& method, const std::string& path,
                                               const std::string& body = {}) {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nAuthorization: Bearer " +
                    token() + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return http::test::request_once(port, raw);
}

using worker::test::RunningWorker;

TEST(BrainWithRealWorker, RegistersPollsPurgesAndProbes) {
  TempDir dir;
  BrainStore store(dir.file("brain.db"));
  std::unique_ptr<BrainApi> api;
  std::unique_ptr<NodeMonitor> monitor;
  http::test::TestServer brain([&api](http::Request&& req, http::Responder res) { api->handle(std::move(req), std::move(res)); });
  // Declared after the server, so it is gone (client thread joined) before the server it posts to.
  HttpClientOptions client_options;
  client_options.timeout_ms = 2000;
  HttpNodeTransport transport(client_options);
  brain.run_on_loop([&] {
    BrainApiOptions o;
    o.secret = kSecret;
    o.purge_timeout_ms = 2000;
    o.log = [](std::string_view) {};
    api = std::make_unique<BrainApi>(store, brain.server(), transport, o);
    NodeMonitorOptions m;
    m.secret = kSecret;
    m.health_timeout_ms = 1000;
    m.metrics_timeout_ms = 1000;
    m.log = [](std::string_view) {};
    http::HttpServer* server = &brain.server();
    monitor = std::make_unique<NodeMonitor>(store, brain.loop(), [server](http::UniqueTask t) { return server->post(std::move(t)); },
                                            transport, m);
  });
  auto round = [&](bool probe) {
    std::promise<void> finished;
    brain.run_on_loop([&] {
      auto done = [&finished] { finished.set_value(); };
      probe ? monitor->probe_now(done) : monitor->poll_now(done);
    });
    ASSERT_EQ(finished.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  };

  worker::WorkerNodeOptions wo;
  wo.listen_port = 0;
  wo.brain_url = "http://127.0.0.1:" + std::to_string(brain.port());
  wo.secret = kSecret;
  wo.region = "eu-west-1";
  wo.capacity_bytes = 1 << 20;
  wo.heartbeat_interval_ms = 60'000;  // the first registration happens at once
  wo.server.access_log = false;
  RunningWorker w(wo);
  for (int i = 0; i < 500 && store.list_nodes().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(store.list_nodes().size(), 1u);
  const Node node = store.list_nodes()[0];
  EXPECT_EQ(node.endpoint, "http://127.0.0.1:" + std::to_string(w.port));

  // Traffic on the worker: one PUT, one hit, one miss.
  ASSERT_EQ(send(w.port, "PUT", "/objects/a/1", "hello world")->status, 201);
  ASSERT_EQ(send(w.port, "GET", "/objects/a/1")->status, 200);
  ASSERT_EQ(send(w.port, "GET", "/objects/missing")->status, 404);

  round(false);  // metrics poll
  const auto sample = store.latest_sample(node.node_id);
  ASSERT_TRUE(sample.has_value()) << "the worker's /metrics answer was not accepted";
  EXPECT_EQ(sample->counters.hits, 1u);
  EXPECT_EQ(sample->counters.misses, 1u);
  EXPECT_EQ(sample->counters.object_count, 1u);
  EXPECT_EQ(sample->counters.capacity_bytes, 1u << 20);
  EXPECT_GT(sample->counters.bytes_stored, 0u);
  EXPECT_EQ(sample->latency.count(), 2u);
  const auto metrics = send(brain.port(), "GET", "/v1/cache/metrics");
  EXPECT_EQ(nlohmann::json::parse(metrics->body)["total_hits"], 1);

  const auto purge = send(brain.port(), "POST", "/v1/cache/purge", R"({"prefix":"a/"})");
  ASSERT_EQ(purge->status, 200) << purge->body;
  const nlohmann::json p = nlohmann::json::parse(purge->body);
  EXPECT_EQ(p["objects_purged"], 1);
  EXPECT_GT(p["bytes_freed"].get<std::int64_t>(), 0);
  EXPECT_EQ(p["nodes_affected"], 1);
  EXPECT_EQ(p["nodes_failed"], 0);
  EXPECT_EQ(send(w.port, "GET", "/objects/a/1")->status, 404);

  round(true);
  EXPECT_EQ(store.get_node(node.node_id)->status, NodeStatus::Online);
  w.stop();
  for (int i = 0; i < 3; ++i) round(true);
  EXPECT_EQ(store.get_node(node.node_id)->status, NodeStatus::Offline);

  brain.run_on_loop([&] { monitor->stop(); });
  EXPECT_TRUE(brain.stop());
  transport.shutdown();
}

}  // namespace
}  // namespace zcache::brain::testing
