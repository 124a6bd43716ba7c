// response.h — what a handler answers: status, headers, body.
//
// The server adds Content-Length, X-Request-Id, Date and, when needed, Connection; a handler's own
// Content-Length / Transfer-Encoding are ignored (the server always frames the body itself), and
// "Connection: close" from a handler closes the connection after this response.
#pragma once

#include <any>
#include <string>
#include <string_view>

#include "headers.h"

namespace zcache::http {

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // Zero-copy bodies: send `view` instead of `body`, keeping `owner` (e.g. a cache EntryRef or a
  // shared_ptr) alive until the bytes are written. `owner` is moved in; small owners are stored
  // inline by std::any, so this costs no allocation.
  Response& borrow_body(std::string_view view, std::any owner) {
    body_view_ = view;
    body_owner_ = std::move(owner);
    borrowed_ = true;
    return *this;
  }
  std::string_view payload() const noexcept { return borrowed_ ? body_view_ : std::string_view(body); }

  static Response text(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
  static Response json(int status, std::string json_body);
  // {"error":{"code":"...","message":"..."}} — the house error shape (DESIGN §8).
  static Response error(int status, std::string_view code, std::string_view message);

 private:
  std::string_view body_view_;
  std::any body_owner_;
  bool borrowed_ = false;
};

// The reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status) noexcept;
// `s` as the contents of a JSON string literal (quotes not included).
std::string json_escape(std::string_view s);
// The JSON error body shared by Response::error and the server's own error responses.
std::string json_error_body(std::string_view code, std::string_view message);

}  // namespace zcache::http
