// HttpClient against a real zcache_http server on loopback: methods, bodies, headers, concurrency,
// connection reuse, submission from many threads.
#include <gtest/gtest.h>
#include <zcache/http_client.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "net_test_support.h"

namespace zcache::net::test {
namespace {

// What the echo handler saw, for the test thread to check (guarded by mu).
struct Seen {
  std::mutex mu;
  std::vector<std::string> methods, bodies, x_test, content_types, expects;
  std::set<std::string> remotes;  // one per TCP connection the server accepted
};

http::HttpServer::Handler echo(Seen& seen) {
  return [&seen](Request&& req, Responder res) {
    {
      std::lock_guard lock(seen.mu);
      seen.methods.emplace_back(req.method);
      seen.bodies.push_back(req.body);
      seen.x_test.emplace_back(req.header("x-test"));
      seen.content_types.emplace_back(req.header("content-type"));
      seen.expects.emplace_back(req.header("expect"));
      seen.remotes.insert(req.remote_address);
    }
    Response r;
    r.status = req.path == "/created" ? 201 : 200;
    r.headers.add("X-Echo-Method", std::string(req.method));
    r.headers.add("Set-Cookie", "a=1");
    r.headers.add("Set-Cookie", "b=2");
    r.body = std::string(req.method) + " " + req.target + " " + req.body;
    res.send(std::move(r));
  };
}

TEST(HttpClient, MethodsCarryBodiesAndHeaders) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  for (std::string method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    HttpRequest req;
    req.method = method;
    req.url = url(server, "/created?m=" + method);
    req.headers.add("X-Test", "v-" + method);
    if (method != "GET") req.body = "body of " + method;
    HttpResponse r = client.send(std::move(req)).get();
    ASSERT_TRUE(r.ok()) << method << ": " << r.error_message;
    EXPECT_EQ(r.status, 201);
    EXPECT_EQ(r.headers.get("x-echo-method"), method);
    EXPECT_EQ(r.headers.get("CONTENT-LENGTH"), std::to_string(r.body.size()));
    EXPECT_EQ(r.headers.get_all("set-cookie").size(), 2u);
    EXPECT_EQ(r.body, method + " /created?m=" + method + (method == "GET" ? " " : " body of " + method));
  }
  std::lock_guard lock(seen.mu);
  ASSERT_EQ(seen.methods.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(seen.x_test[i], "v-" + seen.methods[i]);
    EXPECT_EQ(seen.content_types[i], "") << "no form Content-Type is added to " << seen.methods[i];
    EXPECT_EQ(seen.expects[i], "") << "no Expect: 100-continue on " << seen.methods[i];
  }
}

TEST(HttpClient, CallerContentTypeAndLargeBodiesAreSentAsGiven) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  HttpRequest req;
  req.method = "POST";
  req.url = url(server, "/json");
  req.headers.add("Content-Type", "application/json");
  req.body = std::string(3 << 20, 'x');  // above any Expect threshold of libcurl
  HttpResponse r = client.send(std::move(req)).get();
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), std::string("POST /json ").size() + (3u << 20));
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.content_types.back(), "application/json");
  EXPECT_EQ(seen.bodies.back().size(), 3u << 20);
}

TEST(HttpClient, EmptyPostSendsContentLengthZero) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  HttpRequest req;
  req.method = "POST";
  req.url = url(server, "/empty");
  HttpResponse r = client.send(std::move(req)).get();
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.body, "POST /empty ");
}

TEST(HttpClient, HeadGetsTheHeadOnly) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  HttpRequest req;
  req.method = "HEAD";
  req.url = url(server, "/h");
  HttpResponse r = client.send(std::move(req)).get();
  ASSERT_TRUE(r.ok()) << r.error_message;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.headers.get("x-echo-method"), "HEAD");
}

TEST(HttpClient, SixtyFourConcurrentRequestsAllComplete) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  constexpr int kCount = 64;
  std::vector<std::future<HttpResponse>> responses;
  for (int i = 0; i < kCount; ++i) responses.push_back(client.send(get(url(server, "/n/" + std::to_string(i)))));
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(responses[i].wait_for(std::chrono::seconds(30)), std::future_status::ready);
    HttpResponse r = responses[i].get();
    ASSERT_TRUE(r.ok()) << r.error_message;
    EXPECT_EQ(r.body, "GET /n/" + std::to_string(i) + " ");
  }
  HttpClientStats s = client.stats();
  EXPECT_EQ(s.requests, uint64_t(kCount));
  EXPECT_EQ(s.completed, uint64_t(kCount));
  EXPECT_EQ(s.failed, 0u);
}

TEST(HttpClient, SequentialRequestsReuseOneConnection) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  for (int i = 0; i < 20; ++i) {
    HttpResponse r = client.send(get(url(server, "/seq"))).get();
    ASSERT_TRUE(r.ok()) << r.error_message;
  }
  EXPECT_EQ(client.stats().connections_opened, 1u);
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.remotes.size(), 1u);
}

TEST(HttpClient, ConnectionsPerHostAreCapped) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client(with_options([](auto& o) { o.max_connections_per_host = 4; }));
  for (int round = 0; round < 3; ++round) {
    std::vector<std::future<HttpResponse>> responses;
    for (int i = 0; i < 64; ++i) responses.push_back(client.send(get(url(server, "/cap"))));
    for (auto& f : responses) ASSERT_TRUE(f.get().ok());
  }
  EXPECT_LE(client.stats().connections_opened, 4u);
  std::lock_guard lock(seen.mu);
  EXPECT_LE(seen.remotes.size(), 4u);
  EXPECT_EQ(seen.methods.size(), 192u);
}

TEST(HttpClient, RequestsFromManyThreadsEachCompleteOnce) {
  Seen seen;
  TestServer server(echo(seen));
  HttpClient client;
  constexpr int kThreads = 8, kPerThread = 100;
  std::vector<std::atomic<int>> calls(kThreads * kPerThread);
  std::atomic<int> ok{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        client.send(get(url(server, "/t/" + std::to_string(id))), [&, id](HttpResponse r) {
          calls[id].fetch_add(1);
          if (r.ok() && r.body == "GET /t/" + std::to_string(id) + " ") ok.fetch_add(1);
          done.fetch_add(1);
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(wait_until([&] { return done.load() == kThreads * kPerThread; }));
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  for (auto& c : calls) EXPECT_EQ(c.load(), 1);
}

// Not a benchmark (bench/ will have one): prints the rate with 64 calls in flight, for the record.
TEST(HttpClient, ThroughputWithSixtyFourInFlight) {
  TestServer server([](Request&&, Responder res) { res.send_json(200, R"({"ok":true})"); });
  HttpClient client;
  constexpr int kTotal = 20'000, kInFlight = 64;
  const std::string target = url(server, "/status");
  std::atomic<int> started{0}, finished{0}, failed{0};
  std::function<void()> launch = [&] {
    if (started.fetch_add(1) >= kTotal) return;
    client.send(get(target), [&](HttpResponse r) {
      if (!r.ok() || r.status != 200) failed.fetch_add(1);
      launch();  // keep kInFlight requests in flight, resubmitting from the client thread
      finished.fetch_add(1);  // last: once all are counted, `launch` is no longer in use
    });
  };
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kInFlight; ++i) launch();
  ASSERT_TRUE(wait_until([&] { return finished.load() == kTotal; }, std::chrono::seconds(100)));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(failed.load(), 0);
  // Bursts of completions must not shrink the pool (libcurl's default size follows the number of
  // transfers in flight at each instant): one connection per request in flight, no more.
  EXPECT_LE(client.stats().connections_opened, uint64_t(kInFlight));
  std::printf("[ rate     ] %d requests, %d in flight: %.0f calls/s, %llu connections\n", kTotal, kInFlight,
              kTotal / s, (unsigned long long)client.stats().connections_opened);
}

}  // namespace
}  // namespace zcache::net::test
