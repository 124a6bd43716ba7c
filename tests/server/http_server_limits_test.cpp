// Limits, malformed input and timeouts: every bad client gets a clear status (or a close) and
// nothing it sends can crash the server.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "test_client.h"

namespace zcache::http::test {
namespace {

void ok(Request&& r, Responder res) { res.send(200, "ok " + std::to_string(r.body.size())); }

// Expects an error response with the JSON error shape, then the connection closed.
void expect_error_then_close(Client& c, int status, std::string_view code) {
  auto r = c.read_response();
  ASSERT_TRUE(r) << "no response, expected " << status;
  EXPECT_EQ(r->status, status);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_EQ(r->header("Content-Type"), "application/json");
  EXPECT_NE(r->body.find("{\"error\":{\"code\":\"" + std::string(code) + "\",\"message\":\""), std::string::npos)
      << r->body;
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServerLimits, OversizedHeadersAre431) {
  TestServer s(ok);
  Client c(s.port());
  c.send("GET / HTTP/1.1\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n");
  expect_error_then_close(c, 431, "header_fields_too_large");
}

TEST(HttpServerLimits, TooManyHeadersAre431) {
  TestServer s(ok);
  Client c(s.port());
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
  c.send(req + "\r\n");
  expect_error_then_close(c, 431, "header_fields_too_large");
}

TEST(HttpServerLimits, HundredHeadersAreFine) {
  TestServer s(ok);
  std::string req = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) req += "X-H" + std::to_string(i) + ": v\r\n";
  auto r = request_once(s.port(), req + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerLimits, LongUrlIs414) {
  TestServer s(ok);
  Client c(s.port());
  c.send("GET /" + std::string(20 * 1024, 'u') + " HTTP/1.1\r\n\r\n");
  expect_error_then_close(c, 414, "uri_too_long");
}

TEST(HttpServerLimits, DeclaredOversizedBodyIs413BeforeAnyBodyByte) {
  ServerOptions o = TestServer::quiet_options();
  o.max_body_bytes = 1024;
  TestServer s(ok, o);
  Client c(s.port());
  c.send("POST / HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n");  // and no body at all
  expect_error_then_close(c, 413, "payload_too_large");
}

TEST(HttpServerLimits, OversizedBodyWhileClientKeepsSendingIs413) {
  ServerOptions o = TestServer::quiet_options();
  o.max_body_bytes = 1024;
  TestServer s(ok, o);
  Client c(s.port());
  // The client writes the whole 256 KiB body regardless; thanks to lingering it still reads the
  // 413 instead of a connection reset.
  std::thread writer([&] { c.send("POST / HTTP/1.1\r\nContent-Length: 262144\r\n\r\n" + std::string(262144, 'b')); });
  expect_error_then_close(c, 413, "payload_too_large");
  writer.join();
}

TEST(HttpServerLimits, OversizedChunkedBodyIs413) {
  ServerOptions o = TestServer::quiet_options();
  o.max_body_bytes = 1024;
  TestServer s(ok, o);
  Client c(s.port());
  std::string req = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) req += "200\r\n" + std::string(512, 'c') + "\r\n";  // 1536 bytes in 512-byte chunks
  c.send(req + "0\r\n\r\n");
  expect_error_then_close(c, 413, "payload_too_large");
}

TEST(HttpServerLimits, BodyAtTheLimitIsAccepted) {
  ServerOptions o = TestServer::quiet_options();
  o.max_body_bytes = 1024;
  TestServer s(ok, o);
  auto r = request_once(s.port(), "POST / HTTP/1.1\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok 1024");
}

TEST(HttpServerLimits, MalformedRequestLineIs400AndCloses) {
  TestServer s(ok);
  for (const std::string& bad : std::vector<std::string>{"NOT A REQUEST\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "GET\r\n\r\n",
                          "GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", std::string("\x16\x03\x01\x02\x00", 5) /* TLS */}) {
    Client c(s.port());
    c.send(bad);
    expect_error_then_close(c, 400, "bad_request");
  }
}

TEST(HttpServerLimits, SmugglingShapesAre400) {
  TestServer s(ok);
  Client c(s.port());
  c.send("POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n");
  expect_error_then_close(c, 400, "bad_request");
}

TEST(HttpServerLimits, ErrorAfterGoodPipelinedRequestKeepsOrder) {
  TestServer s(ok);
  Client c(s.port());
  c.send("GET /good HTTP/1.1\r\n\r\nBROKEN\r\n\r\n");
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  expect_error_then_close(c, 400, "bad_request");
}

TEST(HttpServerLimits, SlowHeadersAre408) {
  ServerOptions o = TestServer::quiet_options();
  o.header_timeout_ms = 200;
  TestServer s(ok, o);
  Client c(s.port());
  auto start = std::chrono::steady_clock::now();
  c.send("GET / HTTP/1.1\r\nHost: t\r\n");  // never finishes the head
  // Trickling bytes does not extend the deadline (slowloris).
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c.send("X-Drip: 1\r\n");
  }
  expect_error_then_close(c, 408, "request_timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST(HttpServerLimits, StalledBodyIs408) {
  ServerOptions o = TestServer::quiet_options();
  o.body_timeout_ms = 200;
  TestServer s(ok, o);
  Client c(s.port());
  c.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  expect_error_then_close(c, 408, "request_timeout");
}

TEST(HttpServerLimits, IdleKeepAliveConnectionIsClosed) {
  ServerOptions o = TestServer::quiet_options();
  o.idle_timeout_ms = 200;
  TestServer s(ok, o);
  Client c(s.port());
  ASSERT_TRUE(c.get("/"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.pending(), "");  // closed silently, no response
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST(HttpServerLimits, SilentNewConnectionIsClosed) {
  ServerOptions o = TestServer::quiet_options();
  o.header_timeout_ms = 200;
  TestServer s(ok, o);
  Client c(s.port());
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServerLimits, ConnectionsOverTheLimitAreClosed) {
  ServerOptions o = TestServer::quiet_options();
  o.max_connections = 2;
  TestServer s(ok, o);
  Client a(s.port()), b(s.port());
  ASSERT_TRUE(a.get("/"));
  ASSERT_TRUE(b.get("/"));
  Client c(s.port());  // the kernel accepts it; the server closes it at once
  c.send("GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(c.read_response());
  EXPECT_TRUE(a.get("/"));  // the others are unaffected
}

TEST(HttpServerLimits, HalfClosedClientStillGetsItsAnswer) {
  TestServer s(ok);
  Client c(s.port());
  c.send("GET / HTTP/1.1\r\n\r\n");
  c.shutdown_write();
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServerLimits, RandomGarbageNeverCrashes) {
  ServerOptions o = TestServer::quiet_options();
  o.header_timeout_ms = 300;
  o.body_timeout_ms = 300;
  o.linger_ms = 100;
  TestServer s(ok, o);
  std::mt19937_64 rng(12345);
  const std::string valid = "POST /a?b=c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  for (int i = 0; i < 60; ++i) {
    std::string s2 = valid;
    for (int e = 0; e < 3; ++e) s2[rng() % s2.size()] = char(rng());
    if (i % 3 == 0) {
      s2.resize(rng() % 200);
      for (auto& ch : s2) ch = char(rng());
    }
    Client c(s.port(), std::chrono::milliseconds(2000));
    c.send(s2);
    c.shutdown_write();
    c.read_raw_until_close();  // whatever it answers, it must answer or close
  }
  auto r = request_once(s.port(), "GET / HTTP/1.1\r\n\r\n");  // and it still serves
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace zcache::http::test
