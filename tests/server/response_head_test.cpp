// Unit tests of response serialization (protocol only).
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "http/access_log.h"
#include "http/request_id.h"
#include "http/response_head.h"

namespace zcache::http {
namespace {

std::string head_of(const Response& r, bool head_request = false, bool close = false, bool ka10 = false,
                    ResponseHeadResult* result = nullptr) {
  std::string out;
  auto res = write_response_head(ResponseHeadInfo{&r, head_request, close, ka10, "rid1", "Thu, 01 Jan 1970 00:00:00 GMT"}, out);
  if (result) *result = res;
  return out;
}

TEST(ResponseHead, FramesTheBodyAndAddsServerHeaders) {
  Response r = Response::json(200, R"({"a":1})");
  r.headers.add("Content-Length", "999");      // ignored: the server frames the body
  r.headers.add("Transfer-Encoding", "chunked");  // ignored
  ResponseHeadResult res;
  std::string h = head_of(r, false, false, false, &res);
  EXPECT_EQ(h,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            "Content-Length: 7\r\nX-Request-Id: rid1\r\n\r\n");
  EXPECT_EQ(res.body_bytes, 7u);
}

TEST(ResponseHead, HeadAnd204And304) {
  Response get = Response::text(200, "hello");
  ResponseHeadResult res;
  std::string h = head_of(get, /*head_request=*/true, false, false, &res);
  EXPECT_NE(h.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(res.body_bytes, 0u);

  Response announced;  // HEAD handler announcing a length without producing the body
  announced.headers.add("Content-Length", "1234");
  h = head_of(announced, true);
  EXPECT_NE(h.find("Content-Length: 1234\r\n"), std::string::npos);

  Response nc;
  nc.status = 204;
  nc.body = "ignored";
  h = head_of(nc, false, false, false, &res);
  EXPECT_EQ(h.find("Content-Length"), std::string::npos);
  EXPECT_EQ(res.body_bytes, 0u);

  Response nm;
  nm.status = 304;
  h = head_of(nm, false, false, false, &res);
  EXPECT_EQ(h.find("Content-Length"), std::string::npos);
  EXPECT_EQ(res.body_bytes, 0u);
}

TEST(ResponseHead, ConnectionHeaders) {
  Response r = Response::text(200, "x");
  EXPECT_NE(head_of(r, false, true).find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(head_of(r, false, false, true).find("Connection: keep-alive\r\n"), std::string::npos);
  Response asks;
  asks.headers.add("Connection", "close");
  ResponseHeadResult res;
  std::string h = head_of(asks, false, false, false, &res);
  EXPECT_TRUE(res.handler_asked_close);
  EXPECT_NE(h.find("Connection: close\r\n"), std::string::npos);
}

TEST(ResponseHead, RefusesHeaderInjection) {
  Response r;
  r.headers.add("X-Evil", "a\r\nSet-Cookie: pwned=1");
  r.headers.add("Bad Name", "v");
  r.headers.add("X-Fine", "ok");
  ResponseHeadResult res;
  std::string h = head_of(r, false, false, false, &res);
  EXPECT_EQ(res.dropped_fields, 2u);
  EXPECT_EQ(h.find("pwned"), std::string::npos);
  EXPECT_NE(h.find("X-Fine: ok\r\n"), std::string::npos);
}

TEST(ResponseHead, ErrorBodyIsEscapedJson) {
  Response r = Response::error(400, "bad_request", "quote \" and \n newline");
  EXPECT_EQ(r.body, R"({"error":{"code":"bad_request","message":"quote \" and \n newline"}})");
  EXPECT_EQ(r.headers.get("content-type"), "application/json");
}

TEST(ResponseHead, BorrowedBodyKeepsOwnerAlive) {
  auto owner = std::make_shared<std::string>("shared bytes");
  Response r;
  r.borrow_body(*owner, owner);
  std::weak_ptr<std::string> weak = owner;
  owner.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(r.payload(), "shared bytes");
  ResponseHeadResult res;
  head_of(r, false, false, false, &res);
  EXPECT_EQ(res.body_bytes, 12u);
  r = Response{};
  EXPECT_TRUE(weak.expired());
}

TEST(RequestId, ShortUniqueHex) {
  RequestIdGenerator g;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = g.next();
    ASSERT_EQ(id.size(), 12u);
    ASSERT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    ASSERT_TRUE(seen.insert(id).second);
  }
  EXPECT_TRUE(acceptable_client_request_id("abc-123_x.y:z"));
  EXPECT_FALSE(acceptable_client_request_id(""));
  EXPECT_FALSE(acceptable_client_request_id("has space"));
  EXPECT_FALSE(acceptable_client_request_id(std::string(65, 'a')));
}

TEST(AccessLog, OneSanitizedLine) {
  std::string line = format_access_line(AccessLogEntry{"127.0.0.1:1", "GET", "/a\nb\"c", 200, 12, 1500000, "abc"});
  EXPECT_EQ(line, "http 127.0.0.1:1 \"GET /a?b?c\" 200 12B 1.500ms id=abc");
}

TEST(HttpDate, Imf) {
  HttpDate d;
  std::string_view s = d.now();
  ASSERT_EQ(s.size(), 29u);
  EXPECT_EQ(s.substr(25), " GMT");
}

}  // namespace
}  // namespace zcache::http
