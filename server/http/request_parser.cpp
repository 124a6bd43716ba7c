#include "request_parser.h"

#include <algorithm>
#include <climits>
#include <cstdio>

namespace zcache::http {

namespace {
RequestParser* self(http_parser* p) { return static_cast<RequestParser*>(p->data); }

// RFC 9110 token: what a field name may consist of. http_parser lets some invalid names through.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

void trim_trailing_ows(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
}
}  // namespace

const http_parser_settings RequestParser::kSettings = [] {
  http_parser_settings s;
  http_parser_settings_init(&s);
  s.on_message_begin = &RequestParser::on_message_begin;
  s.on_url = &RequestParser::on_url;
  s.on_header_field = &RequestParser::on_header_field;
  s.on_header_value = &RequestParser::on_header_value;
  s.on_headers_complete = &RequestParser::on_headers_complete;
  s.on_body = &RequestParser::on_body;
  s.on_message_complete = &RequestParser::on_message_complete;
  return s;
}();

RequestParser::RequestParser(ParseLimits limits) : limits_(limits) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

bool RequestParser::feed(const char* data, size_t len, uint64_t now_ns, std::vector<Request>& out) {
  if (done_) return !failed();
  out_ = &out;
  now_ns_ = now_ns;
  http_parser_execute(&parser_, &kSettings, data, len);
  out_ = nullptr;
  const http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (err == HPE_PAUSED) return true;  // on_message_complete paused it: done_ is set
  if (err != HPE_OK) {
    if (!failed()) {  // an error of http_parser's own rather than one of our limits
      if (err == HPE_HEADER_OVERFLOW)
        fail(431, "header_fields_too_large", "request headers are too large");
      else
        fail(400, "bad_request", std::string("malformed request: ") + http_errno_description(err));
    }
    done_ = true;
    return false;
  }
  // An Upgrade request stops http_parser after its message; what follows would not be HTTP/1.1.
  // We serve the request as plain HTTP (RFC 9110 lets a server ignore Upgrade) and then close.
  if (parser_.upgrade) done_ = true;
  return true;
}

void RequestParser::stop_after_current() noexcept {
  stop_requested_ = true;
  if (phase_ == Phase::kIdle) done_ = true;
}

int RequestParser::fail(int status, std::string_view code, std::string message) {
  if (error_.status == 0) error_ = ParseError{status, code, std::move(message)};
  return -1;
}

int RequestParser::on_message_begin(http_parser* p) {
  RequestParser& s = *self(p);
  s.current_ = Request{};
  s.current_.received_ns = s.now_ns_;
  s.header_bytes_ = 0;
  s.in_value_ = false;
  s.phase_ = Phase::kHeaders;
  return 0;
}

int RequestParser::on_url(http_parser* p, const char* at, size_t len) {
  RequestParser& s = *self(p);
  s.header_bytes_ += len;
  if (s.header_bytes_ > s.limits_.max_header_bytes)
    return s.fail(414, "uri_too_long", "request target exceeds " + std::to_string(s.limits_.max_header_bytes) + " bytes");
  s.current_.target.append(at, len);
  return 0;
}

int RequestParser::on_header_field(http_parser* p, const char* at, size_t len) {
  RequestParser& s = *self(p);
  auto& fields = s.current_.headers.fields();
  if (s.in_value_ || fields.empty()) {  // a new header starts
    if (fields.size() >= s.limits_.max_header_count)
      return s.fail(431, "header_fields_too_large", "more than " + std::to_string(s.limits_.max_header_count) + " header fields");
    fields.emplace_back();
    s.in_value_ = false;
    s.header_bytes_ += 4;  // ": " and CRLF
  }
  s.header_bytes_ += len;
  if (s.header_bytes_ > s.limits_.max_header_bytes)
    return s.fail(431, "header_fields_too_large", "request headers exceed " + std::to_string(s.limits_.max_header_bytes) + " bytes");
  fields.back().first.append(at, len);
  return 0;
}

int RequestParser::on_header_value(http_parser* p, const char* at, size_t len) {
  RequestParser& s = *self(p);
  auto& fields = s.current_.headers.fields();
  if (fields.empty()) return s.fail(400, "bad_request", "header value without a name");
  s.in_value_ = true;
  s.header_bytes_ += len;
  if (s.header_bytes_ > s.limits_.max_header_bytes)
    return s.fail(431, "header_fields_too_large", "request headers exceed " + std::to_string(s.limits_.max_header_bytes) + " bytes");
  fields.back().second.append(at, len);
  return 0;
}

int RequestParser::on_headers_complete(http_parser* p) {
  RequestParser& s = *self(p);
  s.phase_ = Phase::kBody;
  Request& r = s.current_;
  for (auto& f : r.headers.fields()) {
    if (!is_token(f.first)) return s.fail(400, "bad_request", "invalid header field name");
    trim_trailing_ows(f.second);
  }
  r.method = http_method_str(static_cast<http_method>(p->method));
  r.http_major = p->http_major;
  r.http_minor = p->http_minor;
  r.keep_alive = http_should_keep_alive(p) != 0 && !p->upgrade;
  if (p->method == HTTP_CONNECT) return s.fail(501, "not_implemented", "CONNECT is not supported");
  if (int rc = s.finish_head()) return rc;

  const bool chunked = (p->flags & F_CHUNKED) != 0;
  const bool has_length = !chunked && p->content_length != ULLONG_MAX;
  if (has_length && p->content_length > s.limits_.max_body_bytes)  // refuse before reading any of it
    return s.fail(413, "payload_too_large",
                  "request body of " + std::to_string(p->content_length) + " bytes exceeds the limit of " +
                      std::to_string(s.limits_.max_body_bytes));
  // Reserve what was announced, but not more than 1 MiB up front: a client that declares a large
  // body and never sends it must not make us commit memory.
  if (has_length) r.body.reserve(std::min<uint64_t>(p->content_length, 1u << 20));
  const bool expects_body = chunked || (has_length && p->content_length > 0);
  s.wants_continue_ = expects_body && (r.http_major > 1 || r.http_minor >= 1) &&
                      r.headers.has_token("Expect", "100-continue");
  return 0;
}

int RequestParser::finish_head() {
  Request& r = current_;
  if (r.target.size() > 0xFFFF)  // http_parser_url offsets are 16-bit
    return fail(414, "uri_too_long", "request target too long");
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(r.target.data(), r.target.size(), 0, &url) != 0)
    return fail(400, "bad_request", "invalid request target");
  if (url.field_set & (1 << UF_PATH)) {
    r.raw_path_offset = url.field_data[UF_PATH].off;
    r.raw_path_length = url.field_data[UF_PATH].len;
    if (!percent_decode(r.raw_path(), r.path, false, /*reject_nul=*/true))
      return fail(400, "bad_request", "invalid percent-encoding in the request path");
  } else {
    r.path = "/";  // absolute-form without a path: "http://host"
  }
  if (url.field_set & (1 << UF_QUERY)) {
    r.query.assign(r.target, url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
    r.params = parse_query(r.query);
  }
  return 0;
}

int RequestParser::on_body(http_parser* p, const char* at, size_t len) {
  RequestParser& s = *self(p);
  s.wants_continue_ = false;  // the client stopped waiting and sends
  if (s.current_.body.size() + len > s.limits_.max_body_bytes)
    return s.fail(413, "payload_too_large",
                  "request body exceeds the limit of " + std::to_string(s.limits_.max_body_bytes) + " bytes");
  s.current_.body.append(at, len);
  return 0;
}

int RequestParser::on_message_complete(http_parser* p) {
  RequestParser& s = *self(p);
  s.phase_ = Phase::kIdle;
  s.wants_continue_ = false;
  if (s.stop_requested_ || p->upgrade) s.current_.keep_alive = false;
  if (!s.current_.keep_alive) s.done_ = true;
  s.out_->push_back(std::move(s.current_));
  if (s.done_) http_parser_pause(p, 1);  // bytes after a connection-ending request are not parsed
  return 0;
}

}  // namespace zcache::http
