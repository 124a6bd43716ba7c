// The protocol-only parts of the HTTP client: header lookup, response-head parsing, and the
// mapping of libcurl results to transport errors and error kinds. No sockets.
#include <gtest/gtest.h>
#include <zcache/http_client.h>

#include "net/response_head.h"
#include "net/transport_error.h"

namespace zcache::net {
namespace {

template <class Set>
HttpClientOptions with_options(Set set) {
  HttpClientOptions o;
  set(o);
  return o;
}

TEST(HttpHeaders, LookupIgnoresCaseAndKeepsOrderAndRepeats) {
  HttpHeaders h{{"Content-Type", "text/plain"}, {"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}};
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(h.get("x-missing", "none"), "none");
  EXPECT_FALSE(h.contains("x-missing"));
  ASSERT_EQ(h.get_all("SET-COOKIE").size(), 2u);
  EXPECT_EQ(h.get_all("Set-Cookie")[1], "b=2");
  h.set("SET-cookie", "c=3");
  EXPECT_EQ(h.get_all("set-cookie").size(), 1u);
  EXPECT_EQ(h.get("Set-Cookie"), "c=3");
}

TEST(ResponseHead, ParsesFieldsAndTrimsWhitespace) {
  ResponseHead head;
  EXPECT_TRUE(head.feed("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(head.feed("Content-Type:  application/json \r\n"));
  EXPECT_TRUE(head.feed("X-Empty:\r\n"));
  EXPECT_TRUE(head.feed("\r\n"));
  HttpHeaders h = head.take();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("content-type"), "application/json");
  EXPECT_TRUE(h.contains("x-empty"));
  EXPECT_EQ(h.get("x-empty", "absent"), "");
}

TEST(ResponseHead, InterimResponsesAreDiscarded) {
  ResponseHead head;
  head.feed("HTTP/1.1 100 Continue\r\n");
  head.feed("X-Interim: yes\r\n");
  head.feed("\r\n");
  head.feed("HTTP/1.1 201 Created\r\n");
  head.feed("Location: /x\r\n");
  head.feed("\r\n");
  HttpHeaders h = head.take();
  EXPECT_FALSE(h.contains("x-interim"));
  EXPECT_EQ(h.get("location"), "/x");
}

TEST(ResponseHead, FoldedLinesJoinThePreviousValue) {
  ResponseHead head;
  head.feed("HTTP/1.1 200 OK\r\n");
  head.feed("X-Long: part one\r\n");
  head.feed("   part two\r\n");
  EXPECT_EQ(head.take().get("x-long"), "part one part two");
}

TEST(ResponseHead, LinesWithoutAColonAreIgnored) {
  ResponseHead head;
  head.feed("HTTP/1.1 200 OK\r\n");
  head.feed("no colon here\r\n");
  head.feed(": no name\r\n");
  EXPECT_TRUE(head.take().empty());
}

TEST(ResponseHead, LimitsBytesAndFields) {
  ResponseHead head;
  head.feed("HTTP/1.1 200 OK\r\n");
  bool ok = true;
  for (std::size_t i = 0; ok && i <= ResponseHead::kMaxHeaderFields; ++i) ok = head.feed("X: y\r\n");
  EXPECT_FALSE(ok);

  head.reset();
  std::string big(ResponseHead::kMaxHeaderBytes, 'a');
  EXPECT_FALSE(head.feed("X: " + big + "\r\n"));
}

TEST(TransportError, CurlResultsMapToTransportErrors) {
  EXPECT_EQ(classify_curl_result(CURLE_OK, true), TransportError::None);
  EXPECT_EQ(classify_curl_result(CURLE_COULDNT_CONNECT, false), TransportError::Connect);
  EXPECT_EQ(classify_curl_result(CURLE_COULDNT_RESOLVE_HOST, false), TransportError::Dns);
  EXPECT_EQ(classify_curl_result(CURLE_OPERATION_TIMEDOUT, false), TransportError::Connect);
  EXPECT_EQ(classify_curl_result(CURLE_OPERATION_TIMEDOUT, true), TransportError::Timeout);
  EXPECT_EQ(classify_curl_result(CURLE_SSL_CONNECT_ERROR, false), TransportError::Tls);
  EXPECT_EQ(classify_curl_result(CURLE_PEER_FAILED_VERIFICATION, false), TransportError::Tls);
  EXPECT_EQ(classify_curl_result(CURLE_GOT_NOTHING, true), TransportError::ConnectionLost);
  EXPECT_EQ(classify_curl_result(CURLE_RECV_ERROR, true), TransportError::ConnectionLost);
  EXPECT_EQ(classify_curl_result(CURLE_PARTIAL_FILE, true), TransportError::ConnectionLost);
  EXPECT_EQ(classify_curl_result(CURLE_WEIRD_SERVER_REPLY, true), TransportError::Protocol);
  EXPECT_EQ(classify_curl_result(CURLE_UNSUPPORTED_PROTOCOL, true), TransportError::Protocol);  // HTTP/0.9
  EXPECT_EQ(classify_curl_result(CURLE_UNSUPPORTED_PROTOCOL, false), TransportError::InvalidRequest);
  EXPECT_EQ(classify_curl_result(CURLE_URL_MALFORMAT, false), TransportError::InvalidRequest);
  EXPECT_EQ(classify_curl_result(CURLE_FILESIZE_EXCEEDED, true), TransportError::TooLarge);
  EXPECT_EQ(classify_curl_result(CURLE_OUT_OF_MEMORY, true), TransportError::Internal);
}

TEST(TransportError, KindsFollowTheHouseList) {
  EXPECT_EQ(transport_error_kind(TransportError::Connect), ErrorKind::Unavailable);
  EXPECT_EQ(transport_error_kind(TransportError::Dns), ErrorKind::Unavailable);
  EXPECT_EQ(transport_error_kind(TransportError::ConnectionLost), ErrorKind::Unavailable);
  EXPECT_EQ(transport_error_kind(TransportError::Timeout), ErrorKind::Timeout);
  EXPECT_EQ(transport_error_kind(TransportError::Tls), ErrorKind::Protocol);
  EXPECT_EQ(transport_error_kind(TransportError::Protocol), ErrorKind::Protocol);
  EXPECT_EQ(transport_error_kind(TransportError::TooLarge), ErrorKind::TooLarge);
  EXPECT_EQ(transport_error_kind(TransportError::InvalidRequest), ErrorKind::InvalidArgument);
  EXPECT_EQ(transport_error_kind(TransportError::Cancelled), ErrorKind::Cancelled);
  EXPECT_EQ(transport_error_kind(TransportError::Internal), ErrorKind::Internal);
  EXPECT_EQ(transport_error_name(TransportError::ConnectionLost), "connection_lost");

  HttpResponse r;
  r.error = TransportError::Timeout;
  r.error_message = "Operation timed out after 200 milliseconds";
  Error e = r.to_error();
  EXPECT_EQ(e.kind(), ErrorKind::Timeout);
  EXPECT_EQ(e.code(), "timeout");
  EXPECT_NE(std::string(e.what()).find("200 milliseconds"), std::string::npos);
}

TEST(HttpClientOptions, BadValuesAreRefused) {
  auto refused = [](HttpClientOptions o) {
    try {
      HttpClient client(std::move(o));
    } catch (const Error& e) {
      return e.kind() == ErrorKind::InvalidArgument;
    }
    return false;
  };
  EXPECT_TRUE(refused(with_options([](auto& o) { o.timeout_ms = 0; })));
  EXPECT_TRUE(refused(with_options([](auto& o) { o.connect_timeout_ms = -1; })));
  EXPECT_TRUE(refused(with_options([](auto& o) { o.max_response_bytes = 0; })));
  EXPECT_TRUE(refused(with_options([](auto& o) { o.user_agent = "evil\r\nX-Injected: 1"; })));
}

}  // namespace
}  // namespace zcache::net
