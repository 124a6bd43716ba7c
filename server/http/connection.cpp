#include "connection.h"

#include <algorithm>

#include "http_server.h"
#include "request_id.h"
#include "response_head.h"

namespace zcache::http {

// One uv_write of several responses (pipelining: everything ready goes out in one writev).
struct Connection::WriteBatch {
  uv_write_t req;
  Connection* connection = nullptr;
  std::vector<std::shared_ptr<Exchange>> exchanges;  // keep heads and bodies alive until written
  std::vector<uv_buf_t> bufs;
  bool ends_connection = false;
  bool is_continue = false;  // the interim "100 Continue", no exchange

  void reset() {
    exchanges.clear();
    bufs.clear();
    ends_connection = false;
    is_continue = false;
  }
};

namespace {
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

std::string peer_name(const uv_tcp_t* tcp) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "-";
  char ip[64] = {};
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof ip);
    return "[" + std::string(ip) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  uv_ip4_name(a, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(a->sin_port));
}

ParseLimits limits_of(const ServerOptions& o) {
  return ParseLimits{o.max_header_bytes, o.max_header_count, o.max_body_bytes};
}
}  // namespace

Connection::Connection(HttpServer& server) : server_(server), parser_(limits_of(server.options())) {
  uv_tcp_init(server_.loop(), &tcp_);
  uv_timer_init(server_.loop(), &timer_);
  tcp_.data = this;
  timer_.data = this;
  open_handles_ = 2;
}

Connection::~Connection() = default;

void Connection::start(uv_stream_t* listener) {
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&tcp_)) != 0) {
    close();
    return;
  }
  uv_tcp_nodelay(&tcp_, 1);  // responses are written whole; don't let Nagle delay small ones
  remote_ = peer_name(&tcp_);
  accepted_ms_ = last_read_ms_ = last_write_ms_ = uv_now(server_.loop());
  update_reading();
  update_timer();
}

void Connection::close() {
  if (closing_) return;
  closing_ = true;
  for (auto& ex : queue_) ex->connection = nullptr;  // their responders become inert
  queue_.clear();
  // In-flight writes complete (with UV_ECANCELED) before the socket's close callback, so batches
  // never outlive this object.
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &Connection::on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &Connection::on_close);
}

void Connection::on_close(uv_handle_t* handle) {
  auto* self = static_cast<Connection*>(handle->data);
  if (--self->open_handles_ == 0) self->server_.on_connection_closed(self);  // destroys *self
}

void Connection::drain() {
  if (closing_ || lingering_) return;
  if (accepting_ && parser_.phase() != RequestParser::Phase::kIdle) {
    parser_.stop_after_current();  // let the request being received finish
  } else {
    stop_accepting();
    // The last queued response now carries "Connection: close"; if nothing is queued, close now.
    maybe_finish();
  }
  if (!closing_) {
    update_reading();
    update_timer();
  }
}

// --- reading -------------------------------------------------------------------------------

void Connection::on_alloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  // One buffer for the whole server: every read is parsed completely (requests copy what they
  // keep) before the loop runs another callback, so 10k idle connections cost no read memory.
  auto* self = static_cast<Connection*>(handle->data);
  *buf = uv_buf_init(self->server_.read_buffer_, sizeof self->server_.read_buffer_);
}

void Connection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Connection*>(stream->data);
  if (self->closing_) return;
  if (nread > 0) {
    self->last_read_ms_ = uv_now(self->server_.loop());
    if (self->lingering_) return;  // discarding what follows a final response
    self->handle_data(buf->base, size_t(nread));
  } else if (nread == UV_EOF) {
    self->read_eof_ = true;
    if (self->lingering_) {
      self->close();
      return;
    }
    // A half-closed client still gets the answers to what it sent (the last says "close"); a
    // request cut off mid-way is abandoned.
    self->stop_accepting();
    self->maybe_finish();
    if (!self->closing_) {
      self->flush();
      self->update_reading();
      self->update_timer();
    }
  } else if (nread < 0) {
    self->close();  // reset or other socket error: nobody to answer
  }
}

void Connection::handle_data(const char* data, size_t len) {
  if (!accepting_) return;
  const bool was_idle = parser_.phase() == RequestParser::Phase::kIdle;
  parser_.feed(data, len, uv_hrtime(), parsed_);
  if (parser_.phase() != RequestParser::Phase::kIdle && (was_idle || !parsed_.empty()))
    request_started_ms_ = uv_now(server_.loop());  // a new request began in this read

  // Answers given synchronously by the handler are batched into one write after the loop.
  dispatching_ = true;
  for (Request& r : parsed_) {
    if (closing_) break;
    dispatch(std::move(r));
  }
  parsed_.clear();
  dispatching_ = false;
  if (closing_) return;

  if (parser_.failed()) {
    const ParseError& e = parser_.error();
    queue_error(e.status, e.code, e.message);
  } else if (parser_.done()) {
    stop_accepting();
  }
  flush();
  if (closing_) return;
  maybe_send_continue();
  update_reading();
  update_timer();
}

void Connection::dispatch(Request&& request) {
  auto ex = std::make_shared<Exchange>();
  ex->connection = this;
  ex->method = request.method;
  ex->target = request.target;
  ex->head_request = request.is_head();
  ex->keep_alive = request.keep_alive;
  ex->keep_alive_10 = request.keep_alive && request.http_major == 1 && request.http_minor == 0;
  ex->received_ns = request.received_ns;
  const std::string_view client_id = request.headers.get("X-Request-Id");
  request.request_id = acceptable_client_request_id(client_id) ? std::string(client_id) : server_.next_request_id();
  ex->request_id = request.request_id;
  request.remote_address = remote_;
  queue_.push_back(ex);
  ++requests_seen_;
  server_.invoke_handler(std::move(request), Responder(std::move(ex)));
}

// An answer of the server's own (400/408/413/431...) after which the connection closes.
void Connection::queue_error(int status, std::string_view code, std::string message) {
  auto ex = std::make_shared<Exchange>();
  ex->connection = this;
  ex->keep_alive = false;
  ex->request_id = server_.next_request_id();
  ex->received_ns = uv_hrtime();
  ex->response = Response::error(status, code, message);
  ex->state = Exchange::State::kReady;
  queue_.push_back(std::move(ex));
  stop_accepting();
}

void Connection::stop_accepting() {
  accepting_ = false;
  if (reading_ && !lingering_) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    reading_ = false;
  }
}

// --- writing -------------------------------------------------------------------------------

void Connection::complete(Exchange& ex, Response&& response) {
  if (!valid_final_status(response.status)) {
    server_.log_error("request " + ex.request_id + ": handler answered with invalid status " +
                      std::to_string(response.status) + "; sending 500");
    response = Response::error(500, "internal_error", "the request handler gave an invalid status");
  }
  ex.response = std::move(response);
  ex.state = Exchange::State::kReady;
  // Only the oldest request may be written; a later one waits for its turn (pipelining order).
  if (!queue_.empty() && queue_.front().get() == &ex) flush();
}

void Connection::flush() {
  if (closing_ || dispatching_ || final_sent_) return;
  if (queue_.empty() || queue_.front()->state != Exchange::State::kReady) return;

  std::unique_ptr<WriteBatch> batch = spare_batch_ ? std::move(spare_batch_) : std::make_unique<WriteBatch>();
  batch->connection = this;
  const std::string_view date = server_.http_date();
  while (!queue_.empty() && queue_.front()->state == Exchange::State::kReady) {
    std::shared_ptr<Exchange> ex = std::move(queue_.front());
    queue_.pop_front();
    // Close after this one when the request said so, or when it is the last one we will get.
    bool close_after = !ex->keep_alive || (!accepting_ && queue_.empty());
    ex->head.clear();
    ResponseHeadResult r = write_response_head(
        ResponseHeadInfo{&ex->response, ex->head_request, close_after, ex->keep_alive_10, ex->request_id, date},
        ex->head);
    if (r.dropped_fields)
      server_.log_error("request " + ex->request_id + ": dropped " + std::to_string(r.dropped_fields) +
                        " invalid response header field(s)");
    close_after = close_after || r.handler_asked_close;
    batch->bufs.push_back(uv_buf_init(ex->head.data(), unsigned(ex->head.size())));
    if (r.body_bytes) {
      const std::string_view body = ex->response.payload();
      batch->bufs.push_back(uv_buf_init(const_cast<char*>(body.data()), unsigned(body.size())));
    }
    ex->bytes_out = ex->head.size() + r.body_bytes;
    batch->exchanges.push_back(std::move(ex));
    if (close_after) {
      // Nothing after a closing response: later requests are abandoned (clients retry them).
      final_sent_ = true;
      batch->ends_connection = true;
      for (auto& rest : queue_) rest->connection = nullptr;
      queue_.clear();
      stop_accepting();
      break;
    }
  }

  WriteBatch* b = batch.release();
  const int rc = uv_write(&b->req, reinterpret_cast<uv_stream_t*>(&tcp_), b->bufs.data(), unsigned(b->bufs.size()),
                          &Connection::on_write);
  if (rc != 0) {
    finish_write(b, rc);
    return;
  }
  b->req.data = b;
  ++writes_in_flight_;
  update_reading();
  update_timer();
}

void Connection::maybe_send_continue() {
  // Only when that request is next in line: an interim response must not jump ahead of the
  // final responses of earlier pipelined requests.
  if (closing_ || !parser_.wants_continue() || !queue_.empty() || writes_in_flight_ > 0 || final_sent_) return;
  std::unique_ptr<WriteBatch> batch = spare_batch_ ? std::move(spare_batch_) : std::make_unique<WriteBatch>();
  batch->connection = this;
  batch->is_continue = true;
  batch->bufs.push_back(uv_buf_init(const_cast<char*>(kContinue), sizeof kContinue - 1));
  WriteBatch* b = batch.release();
  b->req.data = b;
  if (uv_write(&b->req, reinterpret_cast<uv_stream_t*>(&tcp_), b->bufs.data(), 1, &Connection::on_write) != 0) {
    finish_write(b, -1);
    return;
  }
  ++writes_in_flight_;
  parser_.continue_sent();
}

void Connection::on_write(uv_write_t* req, int status) {
  auto* batch = static_cast<WriteBatch*>(req->data);
  --batch->connection->writes_in_flight_;
  batch->connection->finish_write(batch, status);
}

// Logs and releases the written exchanges, then decides what the connection does next.
void Connection::finish_write(WriteBatch* batch, int status) {
  const uint64_t now_ns = uv_hrtime();
  for (auto& ex : batch->exchanges) {
    server_.log_access(AccessLogEntry{remote_, ex->method, ex->target, ex->response.status,
                                      status < 0 ? 0 : ex->bytes_out, now_ns - ex->received_ns, ex->request_id});
    ex->state = Exchange::State::kWritten;
    ex->connection = nullptr;  // a later answer through its responder is a no-op
    ex->response = Response{};  // release the body now, even if a responder lingers
    std::string().swap(ex->head);
  }
  const bool ends_connection = batch->ends_connection;
  batch->reset();
  if (!spare_batch_) spare_batch_.reset(batch);
  else delete batch;

  if (closing_) return;
  if (status < 0) {
    close();  // the client is gone or the socket failed
    return;
  }
  last_write_ms_ = uv_now(server_.loop());
  if (ends_connection) {
    start_linger();
    return;
  }
  flush();  // answers that became ready while this write was in flight
  maybe_finish();
  if (closing_) return;
  maybe_send_continue();
  update_reading();
  update_timer();
}

// --- closing -------------------------------------------------------------------------------

// After the final response: send FIN, then read and discard until the client closes (or the
// linger time passes). Closing with unread input would make the kernel send RST, which can
// destroy the response before the client reads it (e.g. a 413 while the client still uploads).
void Connection::start_linger() {
  if (closing_ || lingering_) return;
  if (read_eof_) {
    close();
    return;
  }
  lingering_ = true;
  if (uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &Connection::on_shutdown) != 0) {
    close();
    return;
  }
  update_reading();
  update_timer();
}

void Connection::on_shutdown(uv_shutdown_t* req, int status) {
  auto* self = static_cast<Connection*>(req->handle->data);
  if (status < 0 && status != UV_ECANCELED) self->close();
}

// Closes when no more requests will come and everything was answered and written.
void Connection::maybe_finish() {
  if (closing_ || lingering_ || accepting_ || !queue_.empty() || writes_in_flight_ > 0) return;
  close();
}

// --- flow control and timeouts -----------------------------------------------------------

void Connection::update_reading() {
  if (closing_) return;
  const bool want =
      lingering_ ? !read_eof_
                 : accepting_ && !read_eof_ && queue_.size() < server_.options().max_pipelined_requests &&
                       uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_)) <
                           server_.options().max_write_queue_bytes;
  if (want == reading_) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  if (want) {
    if (uv_read_start(stream, &Connection::on_alloc, &Connection::on_read) == 0) reading_ = true;
  } else {
    uv_read_stop(stream);
    reading_ = false;
  }
}

void Connection::update_timer() {
  if (closing_) return;
  const ServerOptions& o = server_.options();
  uint64_t deadline = 0;
  TimerKind kind = TimerKind::kNone;
  const bool receiving = accepting_ && reading_;  // while paused for back-pressure, the client isn't at fault
  if (lingering_) {
    kind = TimerKind::kLinger;
    deadline = last_write_ms_ + o.linger_ms;
  } else if (receiving && parser_.phase() == RequestParser::Phase::kHeaders) {
    kind = TimerKind::kHeaders;  // total time for the head, not reset by progress (slowloris)
    deadline = request_started_ms_ + o.header_timeout_ms;
  } else if (receiving && parser_.phase() == RequestParser::Phase::kBody) {
    kind = TimerKind::kBody;
    deadline = last_read_ms_ + o.body_timeout_ms;
  } else if (writes_in_flight_ > 0) {
    kind = TimerKind::kSend;
    deadline = last_write_ms_ + o.send_timeout_ms;
  } else if (queue_.empty()) {
    kind = TimerKind::kIdle;
    // A fresh connection that sends nothing gets no more time than a slow request head would.
    deadline = requests_seen_ == 0 ? accepted_ms_ + std::min(o.idle_timeout_ms, o.header_timeout_ms)
                                   : std::max(last_read_ms_, last_write_ms_) + o.idle_timeout_ms;
  }
  timer_kind_ = kind;
  if (kind == TimerKind::kNone) {  // waiting for the application to answer
    uv_timer_stop(&timer_);
    return;
  }
  const uint64_t now = uv_now(server_.loop());
  uv_timer_start(&timer_, &Connection::on_timer, deadline > now ? deadline - now : 0, 0);
}

void Connection::on_timer(uv_timer_t* timer) { static_cast<Connection*>(timer->data)->on_timeout(); }

void Connection::on_timeout() {
  if (closing_) return;
  switch (timer_kind_) {
    case TimerKind::kHeaders:
    case TimerKind::kBody:
      queue_error(408, "request_timeout",
                  timer_kind_ == TimerKind::kHeaders ? "request headers not received in time"
                                                     : "request body not received in time");
      flush();
      if (!closing_) {
        update_reading();
        update_timer();
      }
      return;
    case TimerKind::kIdle:
    case TimerKind::kSend:
    case TimerKind::kLinger:
      close();
      return;
    case TimerKind::kNone:
      return;
  }
}

}  // namespace zcache::http
