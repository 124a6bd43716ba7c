// net_test_support.h — shared pieces of the HTTP client tests: URLs of a TestServer, waiting with a
// generous deadline, and a handler that holds requests unanswered until the test says so.
#pragma once

#include <gtest/gtest.h>
#include <zcache/http_client.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "test_client.h"

namespace zcache::net::test {

using zcache::http::Request;
using zcache::http::Responder;
using zcache::http::Response;
using zcache::http::test::TestServer;

inline std::string url(const TestServer& server, const std::string& path = "/") {
  return "http://127.0.0.1:" + std::to_string(server.port()) + path;
}

// Options with some fields changed: with_options([](auto& o) { o.timeout_ms = 200; }).
template <class Set>
HttpClientOptions with_options(Set set) {
  HttpClientOptions o;
  set(o);
  return o;
}

inline HttpRequest get(std::string u) {
  HttpRequest r;
  r.url = std::move(u);
  return r;
}

// Polls `done` until it holds or `limit` passes (a generous bound, not a timing assertion).
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A handler that keeps every request unanswered. `held` is touched on the server's loop thread only.
struct HeldRequests {
  std::vector<Responder> held;
  std::atomic<int> arrived{0};

  http::HttpServer::Handler handler() {
    return [this](Request&&, Responder res) {
      held.push_back(std::move(res));
      arrived.fetch_add(1);
    };
  }
  // Answers every held request (200, `body`) on the loop thread.
  void answer_all(TestServer& server, const std::string& body = "late") {
    server.run_on_loop([&] {
      for (auto& r : held) r.send(200, body);
      held.clear();
    });
  }
  // Drops the held responders on the loop thread (a no-op for clients that already left).
  void release(TestServer& server) {
    server.run_on_loop([&] { held.clear(); });
  }
};

}  // namespace zcache::net::test
