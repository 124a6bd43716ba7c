#include "responder.h"

#include <exception>

#include "connection.h"
#include "exchange.h"
#include "http_server.h"

namespace zcache::http {

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    answer_if_dropped();
    exchange_ = std::move(other.exchange_);
  }
  return *this;
}

Responder::~Responder() { answer_if_dropped(); }

bool Responder::send(Response&& response) {
  if (!exchange_) return false;
  Exchange& ex = *exchange_;
  Connection* connection = ex.connection;
  if (!connection) return false;  // the client is gone: nothing to do
  connection->server().check_loop_thread("Responder::send");
  if (ex.state != Exchange::State::kWaiting) {
    connection->server().log_error("request " + ex.request_id + " answered twice; the second answer (status " +
                                   std::to_string(response.status) + ") is ignored");
    return false;
  }
  connection->complete(ex, std::move(response));
  return true;
}

bool Responder::send(int status, std::string body, std::string_view content_type) {
  return send(Response::text(status, std::move(body), content_type));
}

bool Responder::send_json(int status, std::string json_body) {
  return send(Response::json(status, std::move(json_body)));
}

bool Responder::send_error(int status, std::string_view code, std::string_view message) {
  return send(Response::error(status, code, message));
}

bool Responder::answered() const noexcept {
  return !exchange_ || !exchange_->connection || exchange_->state != Exchange::State::kWaiting;
}

bool Responder::connected() const noexcept { return exchange_ && exchange_->connection; }

const std::string& Responder::request_id() const noexcept {
  static const std::string kNone;
  return exchange_ ? exchange_->request_id : kNone;
}

void Responder::answer_if_dropped() noexcept {
  if (!exchange_) return;
  std::shared_ptr<Exchange> ex = std::move(exchange_);
  Connection* connection = ex->connection;
  if (!connection || ex->state != Exchange::State::kWaiting) return;
  try {
    connection->server().check_loop_thread("Responder destructor");
    // An exception unwinding through the handler is a server error; a handler that simply lost
    // its responder is a bug we report as "unavailable" so clients may retry.
    const bool unwinding = std::uncaught_exceptions() > 0;
    const int status = unwinding ? 500 : 503;
    connection->server().log_error("request " + ex->request_id + " (" + std::string(ex->method) + " " + ex->target +
                                   (unwinding ? ") failed with an exception" : ") was dropped without an answer") +
                                   "; sending " + std::to_string(status));
    connection->complete(*ex, unwinding ? Response::error(500, "internal_error", "the request handler failed")
                                        : Response::error(503, "unanswered", "the request handler did not answer"));
  } catch (...) {
    // Out of memory while answering: the connection's close path still releases everything.
  }
}

}  // namespace zcache::http
