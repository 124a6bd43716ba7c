// The server over real sockets: requests, keep-alive, pipelining, chunked bodies, HEAD, async
// answers, and what happens when a handler misbehaves.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_client.h"

namespace zcache::http::test {
namespace {

// Echoes what it parsed, one "key=value" per line, so tests can check every Request field.
void echo(Request&& r, Responder res) {
  std::string out;
  out += "method=" + std::string(r.method) + "\n";
  out += "path=" + r.path + "\n";
  out += "raw_path=" + std::string(r.raw_path()) + "\n";
  out += "query=" + r.query + "\n";
  for (const auto& [k, v] : r.params) out += "param:" + k + "=" + v + "\n";
  out += "x-multi=";
  for (auto v : r.headers.get_all("x-multi")) out += std::string(v) + ";";
  out += "\n";
  out += "body=" + r.body + "\n";
  out += "remote=" + r.remote_address + "\n";
  out += "id=" + r.request_id + "\n";
  res.send(200, out);
}

TEST(HttpServer, GetWithQueryAndHeaders) {
  TestServer s(echo);
  auto r = request_once(s.port(),
                        "GET /a%20b/%2Fc?x=1&y=b%20c HTTP/1.1\r\nHost: t\r\nX-Multi: one\r\nx-multi: two\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("method=GET\n"), std::string::npos);
  EXPECT_NE(r->body.find("path=/a b//c\n"), std::string::npos);
  EXPECT_NE(r->body.find("raw_path=/a%20b/%2Fc\n"), std::string::npos);
  EXPECT_NE(r->body.find("param:y=b c\n"), std::string::npos);
  EXPECT_NE(r->body.find("x-multi=one;two;\n"), std::string::npos);
  EXPECT_NE(r->body.find("remote=127.0.0.1:"), std::string::npos);
  const std::string id = r->header("X-Request-Id");
  EXPECT_EQ(id.size(), 12u);
  EXPECT_NE(r->body.find("id=" + id + "\n"), std::string::npos);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(r->body.size()));
  EXPECT_FALSE(r->header("Date").empty());
}

TEST(HttpServer, PostBodyAndClientRequestId) {
  TestServer s(echo);
  auto r = request_once(s.port(),
                        "POST /submit HTTP/1.1\r\nHost: t\r\nX-Request-Id: trace-42\r\nContent-Length: 11\r\n\r\nhello world");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body=hello world\n"), std::string::npos);
  EXPECT_EQ(r->header("X-Request-Id"), "trace-42");  // adopted for tracing across services
}

TEST(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestServer s(echo);
  Client c(s.port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.get("/n" + std::to_string(i));
    ASSERT_TRUE(r) << i;
    EXPECT_NE(r->body.find("path=/n" + std::to_string(i)), std::string::npos);
    EXPECT_TRUE(r->header("Connection").empty());
  }
}

TEST(HttpServer, ConnectionCloseAndHttp10) {
  TestServer s(echo);
  {
    Client c(s.port());
    auto r = c.get("/", "Connection: close\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_TRUE(c.wait_closed());
  }
  {
    Client c(s.port());
    c.send("GET / HTTP/1.0\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(c.wait_closed());
  }
  {
    Client c(s.port());
    c.send("GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->header("Connection"), "keep-alive");
    c.send("GET /two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_NE(r->body.find("path=/two"), std::string::npos);
  }
}

// Handlers answer in reverse order; responses must still come back in request order.
TEST(HttpServer, PipelinedResponsesKeepRequestOrder) {
  std::vector<Responder> held;  // loop thread only
  std::vector<std::string> paths;
  TestServer s([&](Request&& r, Responder res) {
    paths.push_back(r.path);
    held.push_back(std::move(res));
    if (held.size() == 3) {
      for (int i = 2; i >= 0; --i) held[size_t(i)].send(200, "answer " + paths[size_t(i)]);
      held.clear();
      paths.clear();
    }
  });
  Client c(s.port());
  ASSERT_TRUE(c.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\n"
                     "POST /second HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi"
                     "GET /third HTTP/1.1\r\nHost: t\r\n\r\n"));
  for (const char* want : {"answer /first", "answer /second", "answer /third"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
}

// The same with answers arriving later from timers in reverse order.
TEST(HttpServer, PipelinedAnswersFromTimersInReverseOrder) {
  std::atomic<TestServer*> server{nullptr};
  TestServer s([&](Request&& r, Responder res) {
    const uint64_t delay = r.path == "/slow" ? 150 : r.path == "/medium" ? 75 : 1;
    struct Pending {
      uv_timer_t timer;
      Responder res;
      std::string body;
    };
    auto* p = new Pending{{}, std::move(res), "done " + r.path};
    uv_timer_init(server.load()->loop(), &p->timer);
    p->timer.data = p;
    uv_timer_start(&p->timer, [](uv_timer_t* t) {
      auto* p = static_cast<Pending*>(t->data);
      p->res.send(200, p->body);
      uv_close(reinterpret_cast<uv_handle_t*>(&p->timer), [](uv_handle_t* h) { delete static_cast<Pending*>(h->data); });
    }, delay, 0);
  });
  server = &s;
  Client c(s.port());
  ASSERT_TRUE(c.send("GET /slow HTTP/1.1\r\n\r\nGET /medium HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n"));
  for (const char* want : {"done /slow", "done /medium", "done /fast"}) {
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
}

TEST(HttpServer, ChunkedRequestBody) {
  TestServer s(echo);
  auto r = request_once(s.port(),
                        "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body=Wikipedia in\r\n\r\nchunks.\n"), std::string::npos);
}

TEST(HttpServer, HeadHasLengthButNoBody) {
  TestServer s([](Request&& r, Responder res) { res.send(200, r.is_head() ? "ignored-for-head" : "sixteen bytes!!!"); });
  Client c(s.port());
  c.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n");
  auto h = c.read_response(/*head=*/true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->header("Content-Length"), "16");
  EXPECT_TRUE(h->body.empty());
  // If a body had been sent, it would be parsed as the next response and fail.
  auto g = c.get("/x");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->body, "sixteen bytes!!!");
}

TEST(HttpServer, NoContentHasNoLength) {
  TestServer s([](Request&&, Responder res) {
    Response r;
    r.status = 204;
    res.send(std::move(r));
  });
  Client c(s.port());
  auto r = c.get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->header("Content-Length").empty());
  EXPECT_TRUE(c.get("/again"));
}

TEST(HttpServer, ExpectContinue) {
  TestServer s(echo);
  Client c(s.port());
  c.send("PUT /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  // The interim response arrives before we send the body.
  EXPECT_EQ(c.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("abcde");
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("body=abcde\n"), std::string::npos);
}

TEST(HttpServer, AnswerFromAnotherThreadViaPost) {
  std::vector<std::thread> workers;
  std::mutex mu;
  HttpServer* server = nullptr;
  TestServer s([&](Request&& r, Responder res) {
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([&, path = r.path, res = std::move(res)]() mutable {
      std::string body = "computed off-loop for " + path;
      server->post([res = std::move(res), body = std::move(body)]() mutable { res.send(200, body); });
    });
  });
  s.run_on_loop([&] { server = &s.server(); });
  Client c(s.port());
  auto r = c.get("/work");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "computed off-loop for /work");
  auto r2 = c.get("/more");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->body, "computed off-loop for /more");
  std::lock_guard<std::mutex> lock(mu);
  for (auto& t : workers) t.join();
}

TEST(HttpServer, DroppedResponderGets503AndThrowingHandler500) {
  std::vector<std::string> logs;
  ServerOptions o = TestServer::quiet_options();
  o.error_log = true;
  o.log_sink = [&](std::string_view line) { logs.emplace_back(line); };
  TestServer s(
      [](Request&& r, Responder res) {
        if (r.path == "/drop") return;  // forgot to answer
        if (r.path == "/throw") throw std::runtime_error("boom");
        res.send(200, "fine");
      },
      o);
  Client c(s.port());
  auto dropped = c.get("/drop");
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->status, 503);
  EXPECT_EQ(dropped->header("Content-Type"), "application/json");
  EXPECT_NE(dropped->body.find(R"("code":"unanswered")"), std::string::npos);
  auto thrown = c.get("/throw");
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);
  EXPECT_NE(thrown->body.find(R"("code":"internal_error")"), std::string::npos);
  auto fine = c.get("/ok");  // the connection survived both
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->body, "fine");
  std::vector<std::string> copy;
  s.run_on_loop([&] { copy = logs; });
  bool saw_drop = false, saw_throw = false;
  for (auto& l : copy) {
    saw_drop |= l.find("dropped without an answer") != std::string::npos;
    saw_throw |= l.find("boom") != std::string::npos;
  }
  EXPECT_TRUE(saw_drop);
  EXPECT_TRUE(saw_throw);
}

TEST(HttpServer, AnsweringTwiceIsIgnored) {
  std::atomic<int> second_result{-1};
  TestServer s([&](Request&&, Responder res) {
    res.send(200, "first");
    second_result = res.send(500, "second") ? 1 : 0;
  });
  Client c(s.port());
  auto r = c.get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "first");
  EXPECT_EQ(second_result.load(), 0);
  EXPECT_TRUE(c.get("/"));
}

TEST(HttpServer, InvalidStatusBecomes500) {
  TestServer s([](Request&&, Responder res) { res.send(42, "nope"); });
  auto r = request_once(s.port(), "GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
}

TEST(HttpServer, AnswerAfterClientVanishedIsInert) {
  std::vector<Responder> held;
  std::atomic<int> sent{-1};
  TestServer s([&](Request&&, Responder res) { held.push_back(std::move(res)); });
  {
    Client c(s.port());
    c.send("GET / HTTP/1.1\r\n\r\n");
    for (int i = 0; i < 200; ++i) {  // until the request reached the handler
      size_t n = 0;
      s.run_on_loop([&] { n = held.size(); });
      if (n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    c.reset();  // the client vanishes (a plain close would be a half-close, still owed an answer)
  }
  for (int i = 0; i < 200; ++i) {
    bool connected = true;
    s.run_on_loop([&] { connected = held.at(0).connected(); });
    if (!connected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s.run_on_loop([&] {
    sent = held.at(0).send(200, "too late") ? 1 : 0;
    held.clear();
  });
  EXPECT_EQ(sent.load(), 0);
}

TEST(HttpServer, BorrowedBodyIsSentWithoutCopy) {
  auto big = std::make_shared<std::string>(1 << 20, 'z');
  TestServer s([&](Request&&, Responder res) {
    Response r;
    r.borrow_body(*big, big);
    res.send(std::move(r));
  });
  auto r = request_once(s.port(), "GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body.size(), size_t(1) << 20);
  EXPECT_EQ(r->body, *big);
}

TEST(HttpServer, AccessLogLinePerRequest) {
  std::vector<std::string> logs;
  ServerOptions o = TestServer::quiet_options();
  o.access_log = true;
  o.log_sink = [&](std::string_view line) { logs.emplace_back(line); };
  TestServer s([](Request&&, Responder res) { res.send(201, "made"); }, o);
  auto r = request_once(s.port(), "POST /things?x=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r);
  std::vector<std::string> copy;
  for (int i = 0; i < 100 && copy.empty(); ++i) {  // the line is written once the write completed
    s.run_on_loop([&] { copy = logs; });
    if (copy.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(copy.size(), 1u);
  EXPECT_NE(copy[0].find("\"POST /things?x=1\" 201 "), std::string::npos) << copy[0];
  EXPECT_NE(copy[0].find("id=" + r->header("X-Request-Id")), std::string::npos) << copy[0];
}

TEST(HttpServer, ManyConcurrentConnections) {
  TestServer s([](Request&& r, Responder res) { res.send(200, r.path); });
  constexpr int kClients = 200;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(s.port()));
    ASSERT_TRUE(clients.back()->connected()) << i;
  }
  for (int i = 0; i < kClients; ++i)
    ASSERT_TRUE(clients[size_t(i)]->send("GET /c" + std::to_string(i) + " HTTP/1.1\r\n\r\n"));
  for (int i = 0; i < kClients; ++i) {
    auto r = clients[size_t(i)]->read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, "/c" + std::to_string(i));
  }
  size_t n = 0;
  s.run_on_loop([&] { n = s.server().connection_count(); });
  EXPECT_EQ(n, size_t(kClients));
}

TEST(HttpServer, ManyPipelinedRequestsAreFlowControlled) {
  TestServer s([](Request&& r, Responder res) { res.send(200, r.path); });
  Client c(s.port());
  std::string burst;
  constexpr int kRequests = 500;  // more than max_pipelined_requests: reading pauses and resumes
  for (int i = 0; i < kRequests; ++i) burst += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  std::thread writer([&] { c.send(burst); });
  int answered = 0;
  for (; answered < kRequests; ++answered) {
    auto r = c.read_response();
    if (!r || r->body != "/" + std::to_string(answered)) break;
  }
  writer.join();
  EXPECT_EQ(answered, kRequests);
}

}  // namespace
}  // namespace zcache::http::test
