// connection.h — one accepted TCP connection: reads, parses, dispatches requests to the handler,
// and writes their responses strictly in request order (internal to the server).
//
// Ownership: the HttpServer owns every Connection (a list entry). The connection owns its two
// libuv handles (socket and timer) and its response queue. close() is idempotent: it makes every
// unanswered Exchange inert, closes both handles, and the server destroys the object in the last
// close callback — never earlier, so callbacks already queued by libuv stay valid.
//
// One timer serves every timeout; update_timer() re-derives which one applies from the state
// (see TimerKind), so no code path has to remember to cancel a timeout.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "exchange.h"
#include "request_parser.h"

namespace zcache::http {

class HttpServer;

class Connection {
 public:
  explicit Connection(HttpServer& server);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Accepts the pending connection on `listener` and starts reading. On failure, closes itself.
  void start(uv_stream_t* listener);
  // Closes at once; pending requests are abandoned (their responders become inert). Idempotent.
  void close();
  // Graceful shutdown: finish the request being received and every queued one, then close.
  void drain();
  // A Responder answered `exchange` (loop thread).
  void complete(Exchange& exchange, Response&& response);

  HttpServer& server() noexcept { return server_; }
  std::list<std::unique_ptr<Connection>>::iterator self;  // this connection's entry in the server

 private:
  enum class TimerKind { kNone, kIdle, kHeaders, kBody, kSend, kLinger };
  struct WriteBatch;

  static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_timer(uv_timer_t* timer);
  static void on_close(uv_handle_t* handle);

  void handle_data(const char* data, size_t len);
  void dispatch(Request&& request);
  void queue_error(int status, std::string_view code, std::string message);
  void flush();
  void finish_write(WriteBatch* batch, int status);
  void maybe_send_continue();
  void stop_accepting();
  void start_linger();
  void maybe_finish();
  void update_reading();
  void update_timer();
  void on_timeout();

  HttpServer& server_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_shutdown_t shutdown_req_;
  int open_handles_ = 0;

  RequestParser parser_;
  std::vector<Request> parsed_;                  // scratch for one read, reused
  std::deque<std::shared_ptr<Exchange>> queue_;  // unanswered or unsent, in request order
  std::unique_ptr<WriteBatch> spare_batch_;      // reused to avoid an allocation per write
  std::string remote_;                           // "ip:port"

  uint64_t accepted_ms_ = 0, request_started_ms_ = 0, last_read_ms_ = 0, last_write_ms_ = 0;
  uint64_t requests_seen_ = 0;
  int writes_in_flight_ = 0;
  TimerKind timer_kind_ = TimerKind::kNone;

  bool accepting_ = true;  // more requests may be read (false after close-delimited/error/EOF/drain)
  bool reading_ = false;   // uv_read_start is active
  bool read_eof_ = false;  // the peer finished sending
  bool dispatching_ = false;  // inside the handler loop: flush once afterwards, not per answer
  bool final_sent_ = false;   // a response with "Connection: close" was queued for writing
  bool lingering_ = false;    // final response written; draining input until EOF or linger timeout
  bool closing_ = false;
};

}  // namespace zcache::http
