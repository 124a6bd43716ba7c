// Graceful shutdown: stop accepting, finish in-flight work, close idle connections, and give up at
// the deadline; post() from other threads around it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "test_client.h"

namespace zcache::http::test {
namespace {

using namespace std::chrono_literals;

// Answers /slow after `delay_ms` from a timer, everything else at once.
struct SlowHandler {
  uint64_t delay_ms;
  std::atomic<int>* seen;
  uv_loop_t** loop;
  void operator()(Request&& r, Responder res) const {
    ++*seen;
    if (r.path != "/slow") {
      res.send(200, "quick");
      return;
    }
    struct Pending {
      uv_timer_t timer;
      Responder res;
    };
    auto* p = new Pending{{}, std::move(res)};
    uv_timer_init(*loop, &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, [](uv_timer_t* t) {
      auto* p = static_cast<Pending*>(t->data);
      p->res.send(200, "slow done");
      uv_close(reinterpret_cast<uv_handle_t*>(&p->timer), [](uv_handle_t* h) { delete static_cast<Pending*>(h->data); });
    }, delay_ms, 0);
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

TEST(HttpServerShutdown, WaitsForInFlightRequestThenCompletes) {
  std::atomic<int> seen{0};
  uv_loop_t* loop = nullptr;
  TestServer s(SlowHandler{300, &seen, &loop});
  s.run_on_loop([&] { loop = s.loop(); });

  Client busy(s.port());
  busy.send("GET /slow HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(eventually([&] { return seen.load() == 1; }));
  Client idle(s.port());
  ASSERT_TRUE(idle.get("/"));  // an idle keep-alive connection

  auto started = std::chrono::steady_clock::now();
  auto done = s.begin_shutdown();
  EXPECT_TRUE(idle.wait_closed());  // idle connections close right away
  EXPECT_NE(done.wait_for(100ms), std::future_status::ready);  // still waiting for /slow

  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "slow done");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(busy.wait_closed());
  EXPECT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);

  Client late(s.port());  // nobody listens any more
  EXPECT_FALSE(late.connected() && late.get("/").has_value());
  EXPECT_TRUE(s.stop());
}

TEST(HttpServerShutdown, RequestBeingReceivedIsFinished) {
  std::atomic<int> seen{0};
  uv_loop_t* loop = nullptr;
  TestServer s(SlowHandler{0, &seen, &loop});
  s.run_on_loop([&] { loop = s.loop(); });
  Client c(s.port());
  ASSERT_TRUE(c.get("/"));
  c.send("POST /upload HTTP/1.1\r\nContent-Length: 6\r\n\r\nabc");  // half a body
  std::this_thread::sleep_for(50ms);  // let the server read it
  auto done = s.begin_shutdown();
  std::this_thread::sleep_for(50ms);
  c.send("def");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(done.wait_for(5s), std::future_status::ready);
}

TEST(HttpServerShutdown, DeadlineClosesWhatIsLeft) {
  ServerOptions o = TestServer::quiet_options();
  o.shutdown_timeout_ms = 200;
  std::vector<Responder> never;  // loop thread only; inert once the connection is gone
  TestServer s([&](Request&&, Responder res) { never.push_back(std::move(res)); }, o);
  Client c(s.port());
  c.send("GET /forever HTTP/1.1\r\n\r\n");
  size_t held = 0;
  ASSERT_TRUE(eventually([&] {
    s.run_on_loop([&] { held = never.size(); });
    return held == 1;
  }));
  auto done = s.begin_shutdown();
  EXPECT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_TRUE(s.stop());
  // The loop has ended: the responder is inert and may be answered or dropped anywhere.
  EXPECT_FALSE(never.at(0).connected());
  EXPECT_FALSE(never.at(0).send(200, "too late"));
  never.clear();
}

TEST(HttpServerShutdown, PostAfterShutdownFails) {
  TestServer s([](Request&&, Responder res) { res.send(200, "x"); });
  HttpServer* server = nullptr;
  s.run_on_loop([&] { server = &s.server(); });
  std::atomic<bool> ran{false};
  EXPECT_TRUE(server->post([&] { ran = true; }));
  EXPECT_TRUE(eventually([&] { return ran.load(); }));
  auto done = s.begin_shutdown();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(server->post([] {}));
  EXPECT_TRUE(s.stop());
}

TEST(HttpServerShutdown, PostFromManyThreads) {
  TestServer s([](Request&&, Responder res) { res.send(200, "x"); });
  HttpServer* server = nullptr;
  s.run_on_loop([&] { server = &s.server(); });
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) server->post([&] { ++count; });
    });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(eventually([&] { return count.load() == 4000; }));
}

TEST(HttpServerShutdown, ShutdownWithoutListeningOrConnections) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  bool done = false;
  {
    HttpServer server(&loop, TestServer::quiet_options());
    server.shutdown([&] { done = true; });
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_TRUE(server.closed());
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(HttpServerShutdown, ListenErrorsAreReported) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    HttpServer a(&loop, TestServer::quiet_options());
    ASSERT_EQ(a.listen("127.0.0.1", 0), 0);
    HttpServer b(&loop, TestServer::quiet_options());
    EXPECT_EQ(b.listen("127.0.0.1", a.port()), UV_EADDRINUSE);
    EXPECT_NE(b.listen("not-an-ip", 80), 0);
    a.shutdown();
    b.shutdown();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace zcache::http::test
