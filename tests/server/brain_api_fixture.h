// A brain API on a real HttpServer (127.0.0.1, free port, own loop thread) over a real BrainStore
// file in a temp dir, with in-process fake workers behind a FakeTransport and a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/jwt.h"
#include "brain/api/brain_api.h"
#include "brain/api/node_monitor.h"
#include "brain/api/node_transport.h"
#include "brain/store/brain_store.h"
#include "brain/store/node_id.h"
#include "brain_store_test_util.h"
#include "test_client.h"

namespace zcache::brain::testing {

inline constexpr const char* kSecret = "brain-test-secret";
inline constexpr std::int64_t kStartMs = 1'772'798'400'000;  // 2026-03-06T12:00:00Z

// Stands in for the workers: `answer(url)` decides each request's fate. It returns a response,
// or nullopt to never answer (a hung node). Answers come from a thread of their own, as the real
// client's do. Records every request.
class FakeTransport : public NodeTransport {
 public:
  using Answer = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  ~FakeTransport() override { join(); }

  void set_answer(Answer answer) {
    std::lock_guard lock(mu_);
    answer_ = std::move(answer);
  }

  void send(HttpRequest request, Callback done) override {
    std::lock_guard lock(mu_);
    sent_.push_back(request);
    std::optional<HttpResponse> response = answer_ ? answer_(request) : std::nullopt;
    if (!response) {
      hung_.push_back(std::move(done));  // never called; released at destruction
      return;
    }
    threads_.emplace_back([done = std::move(done), r = std::move(*response)]() mutable { done(std::move(r)); });
  }

  // Waits for every answering thread (call before the server goes away: they post to it).
  void join() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  std::vector<HttpRequest> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  void clear_sent() {
    std::lock_guard lock(mu_);
    sent_.clear();
  }

 private:
  std::mutex mu_;
  Answer answer_;
  std::vector<HttpRequest> sent_;
  std::vector<Callback> hung_;
  std::vector<std::thread> threads_;
};

inline HttpResponse http_answer(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

inline HttpResponse transport_failure(TransportError error) {
  HttpResponse r;
  r.error = error;
  r.error_message = "fake failure";
  return r;
}

struct ApiResponse {
  int status = 0;
  http::Headers headers;
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON
  std::string header(std::string_view name) const { return std::string(headers.get(name)); }
};

class BrainApiTest : public ::testing::Test {
 protected:
  void SetUp() override { start(); }
  void TearDown() override { stop(); }

  // Opens the store file and starts server + API + monitor (stopped monitor timers: tests drive
  // rounds with probe_now/poll_now unless they call monitor_->start()).
  void start(BrainStoreOptions store_options = {}, NodeMonitorOptions monitor_options = default_monitor_options()) {
    store_ = std::make_unique<BrainStore>(dir_.file("brain.db"), store_options);
    server_ = std::make_unique<http::test::TestServer>([this](http::Request&& req, http::Responder res) {
      api_->handle(std::move(req), std::move(res));
    });
    server_->run_on_loop([&] {
      BrainApiOptions o;
      o.secret = kSecret;
      o.now_ms = [this] { return now_ms_.load(); };
      o.purge_timeout_ms = 300;  // the hung fake node: the purge must still complete
      o.log = [](std::string_view) {};
      api_ = std::make_unique<BrainApi>(*store_, server_->server(), transport_, o);
      monitor_options.now_ms = [this] { return now_ms_.load(); };
      monitor_options.secret = kSecret;
      monitor_options.log = [](std::string_view) {};
      http::HttpServer* server = &server_->server();
      monitor_ = std::make_unique<NodeMonitor>(*store_, server_->loop(),
                                               [server](http::UniqueTask t) { return server->post(std::move(t)); },
                                               transport_, monitor_options);
    });
  }

  void stop() {
    if (!server_) return;
    server_->run_on_loop([&] { monitor_->stop(); });
    EXPECT_TRUE(server_->stop());
    transport_.join();
    monitor_.reset();
    api_.reset();
    server_.reset();
    store_.reset();
  }

  static NodeMonitorOptions default_monitor_options() {
    NodeMonitorOptions o;
    o.health_timeout_ms = 300;
    o.metrics_timeout_ms = 300;
    o.offline_after = 3;
    return o;
  }

  std::string token(std::int64_t ttl_s = 3600) const {
    auth::MintOptions m;
    m.sub = "test";
    m.now = now_ms_.load() / 1000;
    m.ttl_seconds = ttl_s;
    return auth::mint_token(kSecret, m);
  }

  // One request on a fresh connection. `auth` is the whole Authorization value; "" sends none.
  ApiResponse call(std::string_view method, std::string_view path, std::string_view body = {},
                   std::optional<std::string> auth = std::nullopt, std::string_view extra_headers = {}) {
    const std::string authorization = auth ? *auth : "Bearer " + token();
    std::string raw = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: brain\r\nConnection: close\r\n";
    if (!authorization.empty()) raw += "Authorization: " + authorization + "\r\n";
    if (!body.empty() || method == "POST") {
      raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
      if (extra_headers.find("Content-Type") == std::string_view::npos) raw += "Content-Type: application/json\r\n";
    }
    raw += std::string(extra_headers);
    raw += "\r\n";
    raw += std::string(body);
    const auto r = http::test::request_once(server_->port(), raw, method == "HEAD");
    EXPECT_TRUE(r.has_value()) << method << " " << path << ": no response";
    ApiResponse out;
    if (!r) return out;
    out.status = r->status;
    out.headers = r->headers;
    out.body = r->body;
    out.json = nlohmann::json::parse(r->body, nullptr, false);
    return out;
  }
  ApiResponse call_json(std::string_view method, std::string_view path, const nlohmann::json& body) {
    return call(method, path, body.dump());
  }

  // Registers a node through the API; returns its id.
  std::string register_node(const std::string& endpoint, std::int64_t capacity = 1000, const std::string& region = "eu-1") {
    const ApiResponse r = call_json("POST", "/v1/cache/nodes/register",
                                    {{"endpoint", endpoint}, {"region", region}, {"capacity_bytes", capacity}});
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    return r.json.value("node_id", "");
  }

  // Runs a monitor round on the loop and waits until it has finished.
  void probe_round() { run_round([this](std::function<void()> done) { monitor_->probe_now(std::move(done)); }); }
  void poll_round() { run_round([this](std::function<void()> done) { monitor_->poll_now(std::move(done)); }); }

  void run_round(std::function<void(std::function<void()>)> begin) {
    auto finished = std::make_shared<std::promise<void>>();
    auto future = finished->get_future();
    server_->run_on_loop([&] { begin([finished] { finished->set_value(); }); });
    ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  }

  void expect_error(const ApiResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.json.is_object()) << r.body;
    ASSERT_TRUE(r.json.contains("error")) << r.body;
    EXPECT_EQ(r.json["error"].value("code", ""), code) << r.body;
    EXPECT_TRUE(r.json["error"]["message"].is_string()) << r.body;
  }
  void expect_field_error(const ApiResponse& r, const std::string& field) {
    expect_error(r, 400, "invalid_request");
    if (r.json.is_object() && r.json.contains("error")) {
      EXPECT_EQ(r.json["error"].value("field", ""), field) << r.body;
      EXPECT_NE(r.json["error"].value("message", "").find(field), std::string::npos) << r.body;
    }
  }

  TempDir dir_;
  std::atomic<std::int64_t> now_ms_{kStartMs};
  FakeTransport transport_;
  std::unique_ptr<BrainStore> store_;
  std::unique_ptr<http::test::TestServer> server_;
  std::unique_ptr<BrainApi> api_;
  std::unique_ptr<NodeMonitor> monitor_;
};

}  // namespace zcache::brain::testing
