// Unit tests of the protocol layer alone: RequestParser (no sockets, no loop).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "http/request_parser.h"
#include "http/url.h"

namespace zcache::http {
namespace {

struct Parsed {
  std::vector<Request> requests;
  bool ok = true;
};

Parsed parse(std::string_view bytes, ParseLimits limits = {}, size_t step = 0) {
  RequestParser parser(limits);
  Parsed out;
  if (step == 0) step = bytes.size() ? bytes.size() : 1;
  for (size_t i = 0; i < bytes.size() && out.ok; i += step)
    out.ok = parser.feed(bytes.data() + i, std::min(step, bytes.size() - i), 42, out.requests);
  return out;
}

TEST(RequestParser, ParsesRequestLineHeadersAndQuery) {
  auto p = parse("GET /a%20b/c?x=1&y=two%2Bthree&flag&x=2 HTTP/1.1\r\nHost: h\r\nX-Multi: a\r\nx-multi: b  \r\n\r\n");
  ASSERT_TRUE(p.ok);
  ASSERT_EQ(p.requests.size(), 1u);
  const Request& r = p.requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/a%20b/c?x=1&y=two%2Bthree&flag&x=2");
  EXPECT_EQ(r.path, "/a b/c");
  EXPECT_EQ(r.raw_path(), "/a%20b/c");
  EXPECT_EQ(r.query, "x=1&y=two%2Bthree&flag&x=2");
  ASSERT_EQ(r.params.size(), 4u);
  EXPECT_EQ(*r.param("x"), "1");
  EXPECT_EQ(*r.param("y"), "two+three");
  EXPECT_EQ(*r.param("flag"), "");
  EXPECT_EQ(r.param("missing"), nullptr);
  EXPECT_EQ(r.header("HOST"), "h");
  auto multi = r.headers.get_all("X-MULTI");
  ASSERT_EQ(multi.size(), 2u);
  EXPECT_EQ(multi[0], "a");
  EXPECT_EQ(multi[1], "b");  // trailing whitespace trimmed
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.received_ns, 42u);
}

TEST(RequestParser, ByteByByteEqualsWhole) {
  const std::string raw =
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
      "GET /second HTTP/1.1\r\nHost: h\r\n\r\n";
  auto whole = parse(raw);
  auto bytewise = parse(raw, {}, 1);
  ASSERT_TRUE(whole.ok);
  ASSERT_TRUE(bytewise.ok);
  ASSERT_EQ(whole.requests.size(), 2u);
  ASSERT_EQ(bytewise.requests.size(), 2u);
  EXPECT_EQ(whole.requests[0].body, "hello world");
  EXPECT_EQ(bytewise.requests[0].body, "hello world");
  EXPECT_EQ(bytewise.requests[1].path, "/second");
}

TEST(RequestParser, KeepAliveRules) {
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").requests.at(0).keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.at(0).keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").requests.at(0).keep_alive);
}

TEST(RequestParser, StopsAfterConnectionClose) {
  RequestParser parser;
  std::vector<Request> out;
  std::string raw = "GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  EXPECT_TRUE(parser.feed(raw.data(), raw.size(), 0, out));
  EXPECT_EQ(out.size(), 1u);
  EXPECT_TRUE(parser.done());
  EXPECT_FALSE(parser.failed());
}

TEST(RequestParser, PhasesAndStopAfterCurrent) {
  RequestParser parser;
  std::vector<Request> out;
  EXPECT_EQ(parser.phase(), RequestParser::Phase::kIdle);
  std::string a = "POST / HTTP/1.1\r\nContent-Length: 4\r\n";
  parser.feed(a.data(), a.size(), 0, out);
  EXPECT_EQ(parser.phase(), RequestParser::Phase::kHeaders);
  std::string b = "\r\nab";
  parser.feed(b.data(), b.size(), 0, out);
  EXPECT_EQ(parser.phase(), RequestParser::Phase::kBody);
  parser.stop_after_current();
  EXPECT_FALSE(parser.done());
  std::string c = "cdGET / HTTP/1.1\r\n\r\n";
  parser.feed(c.data(), c.size(), 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].keep_alive);
  EXPECT_TRUE(parser.done());
}

TEST(RequestParser, Limits) {
  ParseLimits small{200, 3, 10};
  auto many = parse("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n", small);
  EXPECT_FALSE(many.ok);
  auto big = parse("GET / HTTP/1.1\r\nX: " + std::string(300, 'v') + "\r\n\r\n", small);
  EXPECT_FALSE(big.ok);
  auto body = parse("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", small);  // no body byte needed
  EXPECT_FALSE(body.ok);
  auto chunked = parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n", small);
  EXPECT_FALSE(chunked.ok);
  auto at_limit = parse("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", small);
  EXPECT_TRUE(at_limit.ok);
  ASSERT_EQ(at_limit.requests.size(), 1u);

  RequestParser p(small);
  std::vector<Request> out;
  std::string raw = "GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n\r\n";
  EXPECT_FALSE(p.feed(raw.data(), raw.size(), 0, out));
  EXPECT_EQ(p.error().status, 431);
  RequestParser q(small);
  raw = "GET /" + std::string(300, 'u') + " HTTP/1.1\r\n\r\n";
  EXPECT_FALSE(q.feed(raw.data(), raw.size(), 0, out));
  EXPECT_EQ(q.error().status, 414);
  RequestParser r(small);
  raw = "POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n";
  EXPECT_FALSE(r.feed(raw.data(), raw.size(), 0, out));
  EXPECT_EQ(r.error().status, 413);
}

TEST(RequestParser, MalformedInputsAre400) {
  const char* bad[] = {
      "GARBAGE\r\n\r\n",
      "GET / HTTP/9.Z\r\n\r\n",
      "GET /\x01 HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",  // smuggling shape
      "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /%zz HTTP/1.1\r\n\r\n",
      "GET /a%00b HTTP/1.1\r\n\r\n",
  };
  for (const char* raw : bad) {
    RequestParser p;
    std::vector<Request> out;
    EXPECT_FALSE(p.feed(raw, std::strlen(raw), 0, out)) << raw;
    EXPECT_TRUE(p.done()) << raw;
    EXPECT_TRUE(p.error().status == 400 || p.error().status == 501) << raw << " → " << p.error().status;
    EXPECT_TRUE(out.empty()) << raw;
  }
}

TEST(RequestParser, ConnectIsRefusedAndUpgradeEndsTheConnection) {
  RequestParser p;
  std::vector<Request> out;
  std::string raw = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n";
  EXPECT_FALSE(p.feed(raw.data(), raw.size(), 0, out));
  EXPECT_EQ(p.error().status, 501);

  RequestParser u;
  raw = "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
  EXPECT_TRUE(u.feed(raw.data(), raw.size(), 0, out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].keep_alive);
  EXPECT_TRUE(u.done());
}

TEST(RequestParser, ExpectContinue) {
  RequestParser p;
  std::vector<Request> out;
  std::string raw = "PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
  p.feed(raw.data(), raw.size(), 0, out);
  EXPECT_TRUE(p.wants_continue());
  p.continue_sent();
  EXPECT_FALSE(p.wants_continue());
  p.feed("abc", 3, 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].body, "abc");
}

TEST(RequestParser, AbsoluteFormAndAsterisk) {
  auto p = parse("GET http://example.com/x/y?q=1 HTTP/1.1\r\n\r\nOPTIONS * HTTP/1.1\r\n\r\nGET http://example.com HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(p.ok);
  ASSERT_EQ(p.requests.size(), 3u);
  EXPECT_EQ(p.requests[0].path, "/x/y");
  EXPECT_EQ(*p.requests[0].param("q"), "1");
  EXPECT_EQ(p.requests[1].path, "*");
  EXPECT_EQ(p.requests[2].path, "/");
}

TEST(Url, PercentDecodeAndQuery) {
  std::string out;
  EXPECT_TRUE(percent_decode("a%2Fb%41", out));
  EXPECT_EQ(out, "a/bA");
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("%4", out));
  EXPECT_FALSE(percent_decode("%G0", out));
  EXPECT_FALSE(percent_decode("%00", out, false, true));
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  auto q = parse_query("a=1&&b=%zz&c=%20&=v");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[1].second, "%zz");  // lenient
  EXPECT_EQ(q[2].second, " ");
  EXPECT_EQ(q[3].first, "");
}

// A small deterministic fuzz: random mutations of valid requests never crash the parser and
// either parse or fail cleanly. (ASan/UBSan builds check memory safety.)
TEST(RequestParser, MutationsNeverCrash) {
  const std::string seeds[] = {
      "GET /a?b=c HTTP/1.1\r\nHost: x\r\nX: y\r\n\r\n",
      "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      "PUT /q HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello",
  };
  uint64_t state = 0x2545F4914F6CDD1Dull;
  auto rnd = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 5000; ++round) {
    std::string s = seeds[rnd() % 3];
    int edits = 1 + int(rnd() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rnd() % s.size();
      switch (rnd() % 3) {
        case 0: s[pos] = char(rnd()); break;
        case 1: s.insert(pos, 1, char(rnd())); break;
        default: s.erase(pos, 1 + rnd() % 3); break;
      }
      if (s.empty()) s = "x";
    }
    ParseLimits limits{256, 8, 64};
    Parsed p = parse(s, limits, 1 + rnd() % 7);
    for (const auto& r : p.requests) EXPECT_LE(r.body.size(), 64u);
  }
}

}  // namespace
}  // namespace zcache::http
