#include "response_head.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace zcache::http {

namespace {

// RFC 9110 token characters (field names).
bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c >= 'a' && c <= 'z') continue;
    if (c >= 'A' && c <= 'Z') continue;
    if (c >= '0' && c <= '9') continue;
    switch (c) {
      case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
      case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        continue;
      default:
        return false;
    }
  }
  return true;
}

// A value may hold anything but CR, LF and NUL (those would split or truncate the header block).
bool is_safe_value(std::string_view s) noexcept {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return false;
  return true;
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void append_number(std::string& out, uint64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, size_t(r.ptr - buf));
}

}  // namespace

ResponseHeadResult write_response_head(const ResponseHeadInfo& info, std::string& out) {
  const Response& r = *info.response;
  ResponseHeadResult result;
  const bool no_body_status = r.status == 204 || r.status == 304;
  const std::string_view payload = r.payload();

  out.append("HTTP/1.1 ");
  append_number(out, uint64_t(r.status));
  out.push_back(' ');
  out.append(reason_phrase(r.status));
  out.append("\r\n");

  bool has_date = false;
  std::string_view handler_length;  // only honoured for HEAD without a payload (see below)
  for (const auto& [name, value] : r.headers) {
    if (iequals(name, "Content-Length")) {
      handler_length = value;
      continue;
    }
    if (iequals(name, "Transfer-Encoding") || iequals(name, "X-Request-Id")) continue;
    if (iequals(name, "Connection")) {
      if (r.headers.has_token("Connection", "close")) result.handler_asked_close = true;
      continue;
    }
    if (!is_token(name) || !is_safe_value(value)) {
      ++result.dropped_fields;
      continue;
    }
    if (iequals(name, "Date")) has_date = true;
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  if (!has_date && !info.date.empty()) {
    out.append("Date: ");
    out.append(info.date);
    out.append("\r\n");
  }

  if (r.status == 304) {
    // No body; a Content-Length, if the handler gave one, describes the selected representation.
    if (all_digits(handler_length)) {
      out.append("Content-Length: ");
      out.append(handler_length);
      out.append("\r\n");
    }
  } else if (r.status != 204) {
    out.append("Content-Length: ");
    // A HEAD handler may announce the length of what GET would send without producing the bytes.
    if (info.head_request && payload.empty() && all_digits(handler_length))
      out.append(handler_length);
    else
      append_number(out, payload.size());
    out.append("\r\n");
  }

  if (!info.request_id.empty()) {
    out.append("X-Request-Id: ");
    out.append(info.request_id);
    out.append("\r\n");
  }
  if (info.close || result.handler_asked_close)
    out.append("Connection: close\r\n");
  else if (info.keep_alive_10)
    out.append("Connection: keep-alive\r\n");
  out.append("\r\n");

  result.body_bytes = (info.head_request || no_body_status) ? 0 : payload.size();
  return result;
}

std::string_view HttpDate::now() {
  std::time_t t = std::time(nullptr);
  if (t != cached_) {
    std::tm tm;
    gmtime_r(&t, &tm);
    // Formatted by hand: strftime's %a/%b follow LC_TIME, HTTP dates are always English.
    static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int n = std::snprintf(buf_, sizeof buf_, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                          tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    len_ = n > 0 ? std::min(size_t(n), sizeof buf_ - 1) : 0;
    cached_ = t;
  }
  return std::string_view(buf_, len_);
}

}  // namespace zcache::http
