// A worker node on its own loop thread, registering with a stand-in brain (a real HTTP server
// that records what it receives): registration as heartbeat, token checks, graceful shutdown.
#include "auth/bearer.h"
#include "auth/jwt.h"
#include "running_worker.h"
#include "test_client.h"
#include "worker/worker_node.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

namespace zcache::worker {
namespace {

using http::test::Client;
using http::test::TestServer;
constexpr const char* kSecret = "test-secret";

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string token() {
  auth::MintOptions m;
  m.sub = "test";
  m.now = unix_seconds();
  return auth::mint_token(kSecret, m);
}

// The brain's side of registration: answers with a stable node id and records every call.
struct FakeBrain {
  std::mutex mu;
  std::vector<nlohmann::json> bodies;
  std::vector<bool> authorized;
  TestServer server{[this](http::Request&& req, http::Responder res) {
    std::lock_guard lock(mu);
    authorized.push_back(auth::authenticate_bearer(req.header("Authorization"), kSecret, unix_seconds()).ok());
    bodies.push_back(nlohmann::json::parse(req.body, nullptr, false));
    res.send_json(201, R"({"node_id":"node_0123456789abcdef","status":"online"})");
  }};
  std::size_t calls() {
    std::lock_guard lock(mu);
    return bodies.size();
  }
};

using test::RunningWorker;

TEST(WorkerNode, RegistersWithTheBrainAndKeepsHeartbeating) {
  FakeBrain brain;
  WorkerNodeOptions o;
  o.listen_port = 0;
  o.brain_url = "http://127.0.0.1:" + std::to_string(brain.server.port());
  o.secret = kSecret;
  o.region = "eu-west-1";
  o.capacity_bytes = 8 << 20;
  o.heartbeat_interval_ms = 100;
  o.server.access_log = false;
  RunningWorker w(o);
  for (int i = 0; i < 200 && brain.calls() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(brain.calls(), 3u);  // the first at once, then every heartbeat
  std::lock_guard lock(brain.mu);
  EXPECT_TRUE(brain.authorized[0]);
  EXPECT_EQ(brain.bodies[0]["endpoint"], "http://127.0.0.1:" + std::to_string(w.port));
  EXPECT_EQ(brain.bodies[0]["region"], "eu-west-1");
  EXPECT_EQ(brain.bodies[0]["capacity_bytes"], 8 << 20);
}

TEST(WorkerNode, ObjectsNeedATokenButHealthDoesNot) {
  WorkerNodeOptions o;
  o.listen_port = 0;
  o.secret = kSecret;
  o.server.access_log = false;
  RunningWorker w(o);
  Client c(w.port);
  auto health = c.get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto denied = c.get("/objects/a");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  EXPECT_EQ(denied->header("WWW-Authenticate"), "Bearer");
  auto forged = c.get("/objects/a", "Authorization: Bearer " + auth::mint_token("other-secret", {"x", 60, unix_seconds(), {}}) + "\r\n");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  auto allowed = c.get("/objects/a", "Authorization: Bearer " + token() + "\r\n");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 404);  // authorized, and simply absent
}

}  // namespace
}  // namespace zcache::worker
