// responder.h — the handle a handler uses to answer its request, now or later.
//
// Move-only. Use it on the server's loop thread only (from another thread, hop with
// HttpServer::post). Rules that keep a buggy handler from hanging a client:
// - answering twice: the second answer is ignored (and logged);
// - the connection closed first: answering does nothing and returns false;
// - dropped without answering: the client gets 503 {"error":{"code":"unanswered",...}} and the
//   mistake is logged (500 "internal_error" if it was dropped by an exception unwinding).
// Responses go out strictly in request order, whatever order handlers answer in.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "response.h"

namespace zcache::http {

struct Exchange;

class Responder {
 public:
  Responder() noexcept = default;  // inert
  explicit Responder(std::shared_ptr<Exchange> exchange) noexcept : exchange_(std::move(exchange)) {}
  Responder(Responder&&) noexcept = default;
  Responder& operator=(Responder&& other) noexcept;
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();

  // Queues the response; true when it will be sent (the connection is open and this is the first
  // answer).
  bool send(Response&& response);
  bool send(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
  bool send_json(int status, std::string json_body);
  bool send_error(int status, std::string_view code, std::string_view message);

  bool answered() const noexcept;   // true once answered (or inert)
  bool connected() const noexcept;  // the client is still there to receive an answer
  const std::string& request_id() const noexcept;

 private:
  void answer_if_dropped() noexcept;
  std::shared_ptr<Exchange> exchange_;
};

}  // namespace zcache::http
