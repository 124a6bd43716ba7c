// BrainClient against a real zcache_http server acting as the brain: requests as sent, every error
// kind, retries, the circuit breaker, shutdown and the disabled no-ops.
#include <gtest/gtest.h>
#include <zcache/brain_client.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "brain_stub.h"
#include "raw_server.h"

namespace zcache::net::test {
namespace {

using Clock = std::chrono::steady_clock;

TEST(BrainClient, SendsTheSeedsRequests) {
  BrainStub stub;
  stub.answer([](const Request& req, Responder& res) {
    if (req.method == "DELETE") res.send(204, "");
    else res.send_json(req.method == "POST" ? 201 : 200, R"({"path":")" + req.path + R"("})");
  });
  BrainClient brain(stub_options(stub));

  BrainResult status = await([&](auto done) { brain.get_status(done); });
  ASSERT_TRUE(status.ok()) << status.error().what();
  EXPECT_EQ(status.value()["path"], "/v1/cache/status");
  EXPECT_TRUE(await([&](auto done) { brain.list_nodes(done); }).ok());
  BrainResult reg = await([&](auto done) {
    brain.register_node({{"endpoint", "http://127.0.0.1:9001"}, {"region", "eu-west-1"}, {"capacity_bytes", 1024}}, done);
  });
  ASSERT_TRUE(reg.ok()) << reg.error().what();
  EXPECT_TRUE(await([&](auto done) { brain.get_node("a/b c?", done); }).ok());
  BrainResult gone = await([&](auto done) { brain.deregister_node("n1", done); });
  ASSERT_TRUE(gone.ok()) << gone.error().what();
  EXPECT_TRUE(gone.value().is_null());  // 204: no body
  EXPECT_TRUE(await([&](auto done) { brain.get_node_metrics("n1", done); }).ok());
  EXPECT_TRUE(await([&](auto done) { brain.get_metrics(done); }).ok());
  EXPECT_TRUE(await([&](auto done) { brain.purge({{"prefix", "images/"}}, done); }).ok());
  EXPECT_TRUE(await([&](auto done) { brain.health(done); }).ok());

  std::vector<SeenRequest> seen = stub.seen();
  ASSERT_EQ(seen.size(), 9u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"GET", "/v1/cache/status"},           {"GET", "/v1/cache/nodes"},
      {"POST", "/v1/cache/nodes/register"},  {"GET", "/v1/cache/nodes/a%2Fb%20c%3F"},
      {"DELETE", "/v1/cache/nodes/n1"},      {"GET", "/v1/cache/nodes/n1/metrics"},
      {"GET", "/v1/cache/metrics"},          {"POST", "/v1/cache/purge"},
      {"GET", "/health"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(seen[i].method, expected[i].first) << i;
    EXPECT_EQ(seen[i].target, expected[i].second) << i;
    EXPECT_EQ(seen[i].authorization, i == 8 ? "" : "Bearer test-token") << seen[i].target;
  }
  EXPECT_EQ(seen[2].content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(seen[2].body)["capacity_bytes"], 1024);
  EXPECT_EQ(nlohmann::json::parse(seen[7].body), (nlohmann::json{{"prefix", "images/"}}));
}

TEST(BrainClient, EveryStatusMapsToItsKindWithTheServersMessage) {
  BrainStub stub;
  stub.answer([](const Request& req, Responder& res) {
    const int status = std::stoi(req.path.substr(req.path.rfind('/') + 1));
    res.send_error(status, "some_code", "message for " + std::to_string(status));
  });
  BrainClientOptions o = stub_options(stub);
  o.retries = 0;  // 502/503/504 would be retried otherwise (tested below)
  BrainClient brain(o);
  const std::vector<std::pair<int, ErrorKind>> table = {
      {400, ErrorKind::BadRequest},  {401, ErrorKind::Unauthorized}, {403, ErrorKind::Forbidden},
      {404, ErrorKind::NotFound},    {409, ErrorKind::Conflict},     {413, ErrorKind::TooLarge},
      {418, ErrorKind::BadRequest},  {422, ErrorKind::BadRequest},   {429, ErrorKind::RateLimited},
      {500, ErrorKind::Internal},    {502, ErrorKind::Unavailable},  {503, ErrorKind::Unavailable},
      {504, ErrorKind::Timeout}};
  for (auto [status, kind] : table) {
    BrainResult r = await([&](auto done) { brain.get_node(std::to_string(status), done); });
    ASSERT_FALSE(r.ok()) << status;
    EXPECT_EQ(r.error().kind(), kind) << status;
    EXPECT_EQ(r.error().http_status(), status);
    EXPECT_EQ(std::string(r.error().what()), "message for " + std::to_string(status));
  }
}

TEST(BrainClient, ErrorBodyThatIsNotTheBrainsJsonKeepsTheStatusKind) {
  BrainStub stub;
  stub.answer([](const Request&, Responder& res) { res.send(404, "<html>nope</html>", "text/html"); });
  BrainClient brain(stub_options(stub));
  BrainResult r = await([&](auto done) { brain.get_node("x", done); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::NotFound);
  EXPECT_EQ(std::string(r.error().what()), "HTTP 404: <html>nope</html>");
}

TEST(BrainClient, SuccessBodyThatIsNotJsonIsProtocol) {
  BrainStub stub;
  stub.answer([](const Request&, Responder& res) { res.send(200, "{not json", "application/json"); });
  BrainClient brain(stub_options(stub));
  BrainResult r = await([&](auto done) { brain.get_status(done); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::Protocol);
  EXPECT_EQ(r.error().http_status(), 200);
}

TEST(BrainClient, SlowBrainTimesOut) {
  BrainStub stub;
  stub.hang();
  BrainClientOptions o = stub_options(stub);
  o.timeout_ms = 300;
  BrainClient brain(o);
  const auto start = Clock::now();
  BrainResult r = await([&](auto done) { brain.get_status(done); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::Timeout) << r.error().what();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(stub.count(), 1);  // a timeout is not retried: the budget is spent
  stub.release();
}

TEST(BrainClient, UnreachableBrainIsUnavailableWithinTheTimeoutBudget) {
  BrainClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(unused_port());
  o.timeout_ms = 2000;
  o.backoff_base_ms = 500;  // the budget, not the retry count, must bound the call
  o.backoff_max_ms = 2000;
  o.retries = 10;
  BrainClient brain(o);
  const auto start = Clock::now();
  BrainResult r = await([&](auto done) { brain.get_status(done); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind(), ErrorKind::Unavailable) << r.error().what();
  EXPECT_EQ(r.error().http_status(), 0);
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2000 + 3000));  // budget + generous slack
}

TEST(BrainClient, IdempotentCallsRetry503ButPostDoesNot) {
  BrainStub stub;
  stub.answer([](const Request&, Responder& res) { res.send_error(503, "unavailable", "busy"); });
  BrainClientOptions o = stub_options(stub);
  o.retries = 2;
  BrainClient brain(o);

  BrainResult get = await([&](auto done) { brain.get_status(done); });
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().kind(), ErrorKind::Unavailable);
  EXPECT_EQ(get.error().http_status(), 503);
  EXPECT_EQ(stub.count(), 3);  // 1 + 2 retries

  BrainResult del = await([&](auto done) { brain.deregister_node("n1", done); });
  EXPECT_FALSE(del.ok());
  EXPECT_EQ(stub.count(), 6);

  BrainResult post = await([&](auto done) { brain.purge({{"prefix", "a/"}}, done); });
  ASSERT_FALSE(post.ok());
  EXPECT_EQ(post.error().kind(), ErrorKind::Unavailable);
  EXPECT_EQ(stub.count(), 7);  // POST: never retried
}

TEST(BrainClient, RetrySucceedsWhenTheBrainRecovers) {
  BrainStub stub;
  auto calls = std::make_shared<std::atomic<int>>(0);
  stub.answer([calls](const Request&, Responder& res) {
    if (calls->fetch_add(1) == 0) res.send_error(502, "bad_gateway", "starting");
    else res.send_json(200, R"({"brain_healthy":true})");
  });
  BrainClient brain(stub_options(stub));
  BrainResult r = await([&](auto done) { brain.get_status(done); });
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r.value()["brain_healthy"], true);
  EXPECT_EQ(stub.count(), 2);
}

TEST(BrainClient, OtherErrorsAreNotRetried) {
  BrainStub stub;
  stub.answer([](const Request&, Responder& res) { res.send_error(404, "not_found", "no node x"); });
  BrainClient brain(stub_options(stub));
  EXPECT_FALSE(await([&](auto done) { brain.get_node("x", done); }).ok());
  EXPECT_EQ(stub.count(), 1);
}

TEST(BrainClient, BreakerOpensFailsFastThenTriesAgainAfterTheCoolDown) {
  BrainStub stub;
  stub.hang();
  BrainClientOptions o = stub_options(stub);
  o.timeout_ms = 200;
  o.retries = 0;
  o.breaker_threshold = 2;
  o.breaker_cooldown_ms = 500;
  BrainClient brain(o);

  for (int i = 0; i < 2; ++i) {
    BrainResult r = await([&](auto done) { brain.get_status(done); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::Timeout);
  }
  ASSERT_TRUE(wait_until([&] { return stub.count() == 2; }));
  BrainResult fast = await([&](auto done) { brain.get_status(done); });
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.error().kind(), ErrorKind::Unavailable);
  EXPECT_NE(std::string(fast.error().what()).find("circuit open"), std::string::npos) << fast.error().what();
  EXPECT_EQ(stub.count(), 2);  // failed fast: nothing sent

  stub.release();
  stub.stop_hanging();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));  // past the cool-down
  BrainResult trial = await([&](auto done) { brain.get_status(done); });
  EXPECT_TRUE(trial.ok()) << trial.error().what();
  EXPECT_TRUE(await([&](auto done) { brain.get_status(done); }).ok());  // closed again
  EXPECT_EQ(stub.count(), 4);
}

TEST(BrainClient, DisabledResolvesToNoOpsWithoutARequest) {
  BrainStub stub;
  BrainClientOptions o = stub_options(stub);
  o.enabled = false;
  BrainClient brain(o);

  BrainResult status = await([&](auto done) { brain.get_status(done); });
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status.value()["brain_healthy"], false);
  EXPECT_EQ(status.value()["total_nodes"], 0);
  EXPECT_EQ(status.value()["hit_ratio"], 0.0);
  EXPECT_EQ(await([&](auto done) { brain.list_nodes(done); }).value(), nlohmann::json::array());
  EXPECT_EQ(await([&](auto done) { brain.purge({{"prefix", "x"}}, done); }).value(),
            (nlohmann::json{{"objects_purged", 0}, {"bytes_freed", 0}, {"nodes_affected", 0}}));
  BrainResult metrics = await([&](auto done) { brain.get_metrics(done); });
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics.value()["total_hits"], 0);
  EXPECT_TRUE(metrics.value()["collected_at"].is_null());
  EXPECT_TRUE(await([&](auto done) { brain.register_node({{"endpoint", "x"}}, done); }).value().is_null());
  EXPECT_TRUE(await([&](auto done) { brain.get_node("n", done); }).value().is_null());
  EXPECT_TRUE(await([&](auto done) { brain.deregister_node("n", done); }).value().is_null());
  EXPECT_TRUE(await([&](auto done) { brain.get_node_metrics("n", done); }).value().is_null());
  EXPECT_EQ(await([&](auto done) { brain.health(done); }).value()["status"], "disabled");
  EXPECT_EQ(stub.count(), 0);
}

TEST(BrainClient, BadArgumentsCompleteWithInvalidArgument) {
  BrainStub stub;
  BrainClient brain(stub_options(stub));
  BrainResult empty = await([&](auto done) { brain.get_node("", done); });
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(await([&](auto done) { brain.deregister_node("..", done); }).error().kind(), ErrorKind::InvalidArgument);
  BrainResult bad_utf8 = await([&](auto done) { brain.purge({{"prefix", std::string("\xff\xfe")}}, done); });
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8.error().kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(stub.count(), 0);
}

TEST(BrainClient, CallbacksNeverRunInline) {
  BrainStub stub;
  BrainClientOptions o = stub_options(stub);
  o.enabled = false;  // the path most tempted to answer at once
  BrainClient brain(o);
  const auto caller = std::this_thread::get_id();
  std::promise<std::thread::id> ran_on;
  brain.get_status([&](BrainResult) { ran_on.set_value(std::this_thread::get_id()); });
  auto f = ran_on.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_NE(f.get(), caller);
}

TEST(BrainClient, DestroyingTheClientCompletesEveryCallOnce) {
  BrainStub stub;
  stub.hang();
  auto completed = std::make_shared<std::atomic<int>>(0);
  {
    BrainClient brain(stub_options(stub));
    for (int i = 0; i < 5; ++i) brain.get_status([completed](BrainResult r) {
      EXPECT_FALSE(r.ok());
      EXPECT_EQ(r.error().kind(), ErrorKind::Cancelled);
      completed->fetch_add(1);
    });
    ASSERT_TRUE(wait_until([&] { return stub.count() == 5; }));
  }
  EXPECT_EQ(completed->load(), 5);
  stub.release();
}

TEST(BrainClient, RejectsUnusableOptions) {
  BrainClientOptions o;
  o.base_url = "ftp://brain";
  EXPECT_THROW(BrainClient{o}, Error);
  o.base_url = "http://127.0.0.1:1";
  o.timeout_ms = 0;
  EXPECT_THROW(BrainClient{o}, Error);
}

}  // namespace
}  // namespace zcache::net::test
