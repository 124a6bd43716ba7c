// Every transport failure produced for real, and how it maps to zcache::ErrorKind.
#include <gtest/gtest.h>
#include <zcache/http_client.h>

#include <mutex>
#include <string>
#include <vector>

#include "net_test_support.h"
#include "raw_server.h"

namespace zcache::net::test {
namespace {

TEST(HttpClientErrors, SilentServerTimesOut) {
  HeldRequests silent;
  TestServer server(silent.handler());
  HttpClient client;  // 10 s by default; the request asks for less
  HttpRequest req = get(url(server, "/never"));
  req.timeout_ms = 200;
  HttpResponse r = client.send(std::move(req)).get();
  EXPECT_EQ(r.error, TransportError::Timeout) << r.error_message;
  EXPECT_EQ(r.error_kind(), ErrorKind::Timeout);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.to_error().kind(), ErrorKind::Timeout);
  silent.release(server);
}

TEST(HttpClientErrors, ClientTimeoutAppliesWhenTheRequestSetsNone) {
  HeldRequests silent;
  TestServer server(silent.handler());
  HttpClient client(with_options([](auto& o) { o.timeout_ms = 200; }));
  HttpResponse r = client.send(get(url(server, "/never"))).get();
  EXPECT_EQ(r.error, TransportError::Timeout) << r.error_message;
  silent.release(server);
}

TEST(HttpClientErrors, RefusedConnectionIsUnavailable) {
  HttpClient client;
  HttpResponse r = client.send(get("http://127.0.0.1:" + std::to_string(unused_port()) + "/")).get();
  EXPECT_EQ(r.error, TransportError::Connect) << r.error_message;
  EXPECT_EQ(r.error_kind(), ErrorKind::Unavailable);
  EXPECT_FALSE(r.error_message.empty());
}

TEST(HttpClientErrors, AnnouncedBodyOverTheLimitIsTooLarge) {
  TestServer server([](Request&& req, Responder res) { res.send(200, std::string(req.path == "/big" ? 2000 : 1000, 'b')); });
  HttpClient client(with_options([](auto& o) { o.max_response_bytes = 1000; }));
  HttpResponse big = client.send(get(url(server, "/big"))).get();
  EXPECT_EQ(big.error, TransportError::TooLarge) << big.error_message;
  EXPECT_EQ(big.error_kind(), ErrorKind::TooLarge);
  HttpResponse fits = client.send(get(url(server, "/fits"))).get();  // exactly the limit
  ASSERT_TRUE(fits.ok()) << fits.error_message;
  EXPECT_EQ(fits.body.size(), 1000u);
}

TEST(HttpClientErrors, UnannouncedBodyOverTheLimitIsTooLarge) {
  RawServer raw("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(50'000, 'x'));
  HttpClient client(with_options([](auto& o) { o.max_response_bytes = 1000; }));
  HttpResponse r = client.send(get(raw.url())).get();
  EXPECT_EQ(r.error, TransportError::TooLarge) << r.error_message;
}

TEST(HttpClientErrors, GarbageAnswerIsProtocol) {
  RawServer raw("this is not HTTP\r\n\r\n");
  HttpClient client;
  HttpResponse r = client.send(get(raw.url())).get();
  EXPECT_EQ(r.error, TransportError::Protocol) << r.error_message;
  EXPECT_EQ(r.error_kind(), ErrorKind::Protocol);
}

TEST(HttpClientErrors, ClosedWithoutAnswerIsConnectionLost) {
  RawServer raw("");
  HttpClient client;
  HttpResponse r = client.send(get(raw.url())).get();
  EXPECT_EQ(r.error, TransportError::ConnectionLost) << r.error_message;
  EXPECT_EQ(r.error_kind(), ErrorKind::Unavailable);
}

TEST(HttpClientErrors, TruncatedBodyIsConnectionLost) {
  RawServer raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
  HttpClient client;
  HttpResponse r = client.send(get(raw.url())).get();
  EXPECT_EQ(r.error, TransportError::ConnectionLost) << r.error_message;
}

TEST(HttpClientErrors, TlsToAPlainHttpServerIsTls) {
  TestServer server([](Request&&, Responder res) { res.send(200, "plain"); });
  HttpClient client;
  HttpResponse r = client.send(get("https://127.0.0.1:" + std::to_string(server.port()) + "/")).get();
  EXPECT_EQ(r.error, TransportError::Tls) << r.error_message;
  EXPECT_EQ(r.error_kind(), ErrorKind::Protocol);
}

TEST(HttpClientErrors, UnusableRequestsAreInvalid) {
  HttpClient client;
  auto error_of = [&](HttpRequest req) { return client.send(std::move(req)).get().error; };
  EXPECT_EQ(error_of(get("ftp://127.0.0.1/file")), TransportError::InvalidRequest);
  EXPECT_EQ(error_of(get("http://[::1")), TransportError::InvalidRequest);
  EXPECT_EQ(error_of(get("http://127.0.0.1/\r\nX: y")), TransportError::InvalidRequest);

  HttpRequest bad_name = get("http://127.0.0.1/");
  bad_name.headers.add("Bad Name", "v");
  EXPECT_EQ(error_of(std::move(bad_name)), TransportError::InvalidRequest);

  HttpRequest injected = get("http://127.0.0.1/");
  injected.headers.add("X-Ok", "v\r\nX-Injected: 1");
  EXPECT_EQ(error_of(std::move(injected)), TransportError::InvalidRequest);

  HttpRequest bad_method = get("http://127.0.0.1/");
  bad_method.method = "GET /x";
  HttpResponse r = client.send(std::move(bad_method)).get();
  EXPECT_EQ(r.error, TransportError::InvalidRequest);
  EXPECT_EQ(r.error_kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(client.stats().failed, 6u);
}

TEST(HttpClientErrors, ThrowingCallbackIsLoggedAndTheClientGoesOn) {
  TestServer server([](Request&&, Responder res) { res.send(200, "ok"); });
  std::mutex mu;
  std::vector<std::string> lines;
  HttpClient client(with_options([&](auto& o) {
    o.log_sink = [&](std::string_view line) {
      std::lock_guard lock(mu);
      lines.emplace_back(line);
    };
  }));
  std::promise<void> thrown;
  client.send(get(url(server)), [&](HttpResponse) {
    thrown.set_value();
    throw std::runtime_error("callback bug");
  });
  thrown.get_future().get();
  HttpResponse after = client.send(get(url(server))).get();
  EXPECT_TRUE(after.ok());
  std::lock_guard lock(mu);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("callback bug"), std::string::npos);
}

}  // namespace
}  // namespace zcache::net::test
