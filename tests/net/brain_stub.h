// brain_stub.h — a zcache_http server standing in for the brain in the BrainClient tests: counts
// and records requests, answers with whatever the test set, or holds requests unanswered.
#pragma once

#include <zcache/brain_client.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "net_test_support.h"

namespace zcache::net::test {

struct SeenRequest {
  std::string method, target, authorization, content_type, body;
};

class BrainStub {
 public:
  using Answer = std::function<void(const Request&, Responder&)>;

  BrainStub()
      : server_([this](Request&& req, Responder res) { handle(std::move(req), std::move(res)); }) {}
  ~BrainStub() { release(); }

  void answer(Answer a) {
    std::lock_guard lock(mu_);
    answer_ = std::move(a);
  }
  // Every request from now on is held unanswered (a brain that hangs) until answer() or release().
  void hang() { hang_ = true; }
  void stop_hanging() { hang_ = false; }
  void release() {
    server_.run_on_loop([this] { held_.clear(); });
  }

  int count() const { return count_.load(); }
  std::vector<SeenRequest> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  std::string url() const { return test::url(server_, ""); }
  TestServer& server() { return server_; }

 private:
  void handle(Request&& req, Responder res) {
    Answer a;
    {
      std::lock_guard lock(mu_);
      seen_.push_back({std::string(req.method), req.target, std::string(req.header("authorization")),
                       std::string(req.header("content-type")), req.body});
      a = answer_;
    }
    count_.fetch_add(1);
    if (hang_) {
      held_.push_back(std::move(res));  // loop thread only
      return;
    }
    if (a) a(req, res);
    else res.send_json(200, R"({"ok":true})");
  }

  std::mutex mu_;
  Answer answer_;
  std::vector<SeenRequest> seen_;
  std::atomic<int> count_{0};
  std::atomic<bool> hang_{false};
  std::vector<Responder> held_;
  TestServer server_;  // last: stops (and calls no handler) before the rest goes away
};

// Runs one call and waits (generously) for its result; fails the test if it never comes.
inline BrainResult await(const std::function<void(BrainClient::Callback)>& call) {
  auto promise = std::make_shared<std::promise<BrainResult>>();
  auto future = promise->get_future();
  call([promise](BrainResult r) { promise->set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "the brain client never called back";
    return BrainResult(Error(ErrorKind::Internal, "no callback"));
  }
  return future.get();
}

inline BrainClientOptions stub_options(const BrainStub& stub) {
  BrainClientOptions o;
  o.base_url = stub.url();
  o.token = "test-token";
  o.backoff_base_ms = 5;  // retries in tests should not dawdle
  o.backoff_max_ms = 20;
  return o;
}

}  // namespace zcache::net::test
