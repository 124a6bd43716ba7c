// Shutdown: cancel (the destructor) and drain, from outside and from inside a callback.
#include <gtest/gtest.h>
#include <zcache/http_client.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "net_test_support.h"

namespace zcache::net::test {
namespace {

TEST(HttpClientShutdown, DestructorCancelsEveryRequestExactlyOnce) {
  HeldRequests silent;
  TestServer server(silent.handler());
  constexpr int kInFlight = 20, kQueued = 200;
  std::vector<std::atomic<int>> calls(kInFlight + kQueued);
  std::atomic<int> cancelled{0};
  {
    HttpClient client;
    auto on_done = [&](int id) {
      return [&, id](HttpResponse r) {
        calls[id].fetch_add(1);
        if (r.error == TransportError::Cancelled && r.error_kind() == ErrorKind::Cancelled) cancelled.fetch_add(1);
      };
    };
    for (int i = 0; i < kInFlight; ++i) client.send(get(url(server, "/held")), on_done(i));
    ASSERT_TRUE(wait_until([&] { return silent.arrived.load() == kInFlight; }));
    // More, submitted just before the destructor: some are still queued when it runs.
    for (int i = kInFlight; i < kInFlight + kQueued; ++i) client.send(get(url(server, "/late")), on_done(i));
  }  // ~HttpClient: cancel and join
  for (auto& c : calls) EXPECT_EQ(c.load(), 1);
  EXPECT_EQ(cancelled.load(), kInFlight + kQueued);
  silent.release(server);
}

TEST(HttpClientShutdown, SendAfterShutdownThrowsClosed) {
  HttpClient client;
  client.shutdown();
  client.shutdown(ShutdownMode::Drain);  // idempotent
  bool called = false;
  try {
    client.send(get("http://127.0.0.1:1/"), [&](HttpResponse) { called = true; });
    FAIL() << "send after shutdown must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Closed);
  }
  EXPECT_FALSE(called);
}

TEST(HttpClientShutdown, DrainLetsInFlightRequestsFinish) {
  HeldRequests held;
  TestServer server(held.handler());
  HttpClient client;
  std::vector<std::future<HttpResponse>> responses;
  for (int i = 0; i < 5; ++i) responses.push_back(client.send(get(url(server, "/slow"))));
  ASSERT_TRUE(wait_until([&] { return held.arrived.load() == 5; }));

  std::thread drainer([&] { client.shutdown(ShutdownMode::Drain); });
  // Once the drain has begun, new requests are refused.
  ASSERT_TRUE(wait_until([&] {
    try {
      client.send(get("http://127.0.0.1:1/"), [](HttpResponse) {});
      return false;
    } catch (const Error& e) {
      return e.kind() == ErrorKind::Closed;
    }
  }));
  held.answer_all(server, "finished");  // (the probes above that got in failed on port 1)
  drainer.join();
  for (auto& f : responses) {
    HttpResponse r = f.get();
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.body, "finished");
  }
}

TEST(HttpClientShutdown, CancelCutsADrainShort) {
  HeldRequests held;
  TestServer server(held.handler());
  HttpClient client;
  std::vector<std::future<HttpResponse>> responses;
  for (int i = 0; i < 5; ++i) responses.push_back(client.send(get(url(server, "/slow"))));
  ASSERT_TRUE(wait_until([&] { return held.arrived.load() == 5; }));
  std::thread drainer([&] { client.shutdown(ShutdownMode::Drain); });
  ASSERT_TRUE(wait_until([&] {
    try {
      client.send(get("http://127.0.0.1:1/"), [](HttpResponse) {});
      return false;
    } catch (const Error&) {
      return true;
    }
  }));
  client.shutdown(ShutdownMode::Cancel);
  drainer.join();
  for (auto& f : responses) EXPECT_EQ(f.get().error, TransportError::Cancelled);
  held.release(server);
}

TEST(HttpClientShutdown, ClientDestroyedInItsOwnCallbackFinishesAlone) {
  HeldRequests held;
  TestServer server([&](Request&& req, Responder res) {
    if (req.path == "/fast") return (void)res.send(200, "fast");
    held.handler()(std::move(req), std::move(res));
  });
  auto* client = new HttpClient();
  // Shared with the callback: it completes on the detached thread, which may outlive this scope.
  auto other = std::make_shared<std::promise<HttpResponse>>();
  auto f = other->get_future();
  client->send(get(url(server, "/held")), [other](HttpResponse r) { other->set_value(std::move(r)); });
  ASSERT_TRUE(wait_until([&] { return held.arrived.load() == 1; }));
  std::promise<void> deleted;
  client->send(get(url(server, "/fast")), [&](HttpResponse) {
    delete client;  // on the client thread: cannot join itself, so it detaches and finishes alone
    deleted.set_value();
  });
  deleted.get_future().get();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(f.get().error, TransportError::Cancelled);
  held.release(server);
}

TEST(HttpClientShutdown, ShutdownFromACallbackOnlyBeginsIt) {
  TestServer server([](Request&&, Responder res) { res.send(200, "ok"); });
  HttpClient client;
  std::promise<void> returned;
  client.send(get(url(server)), [&](HttpResponse) {
    client.shutdown(ShutdownMode::Drain);  // must not wait for its own thread
    returned.set_value();
  });
  returned.get_future().get();
  client.shutdown();  // from the test thread: joins
  EXPECT_THROW(client.send(get(url(server))), Error);
}

}  // namespace
}  // namespace zcache::net::test
