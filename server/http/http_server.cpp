#include "http_server.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "connection.h"

namespace zcache::http {

HttpServer::HttpServer(uv_loop_t* loop, ServerOptions options, Handler handler)
    : loop_(loop), options_(std::move(options)), handler_(std::move(handler)) {
  loop_thread_ = std::this_thread::get_id();
  uv_async_init(loop_, &async_, &HttpServer::on_async);
  async_.data = this;
  async_open_ = true;
  uv_timer_init(loop_, &shutdown_timer_);
  shutdown_timer_.data = this;
  open_handles_ = 2;
}

HttpServer::~HttpServer() {
  if (!closed_) {
    // Freeing handles libuv still references would corrupt the loop; fail loudly instead.
    std::fprintf(stderr, "zcache http: HttpServer destroyed before shutdown() completed\n");
    std::abort();
  }
}

int HttpServer::listen(const std::string& host, uint16_t port) {
  check_loop_thread("HttpServer::listen");
  if (shutting_down_ || listener_open_) return UV_EINVAL;
  const std::string ip = host == "localhost" ? "127.0.0.1" : host.empty() ? "0.0.0.0" : host;
  sockaddr_storage addr{};
  int rc = ip.find(':') != std::string::npos ? uv_ip6_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr))
                                             : uv_ip4_addr(ip.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) return rc;
  if ((rc = uv_tcp_init(loop_, &listener_)) != 0) return rc;
  listener_.data = this;
  listener_open_ = true;
  ++open_handles_;
  if ((rc = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&addr), 0)) == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), options_.listen_backlog, &HttpServer::on_connection);
  if (rc != 0) {
    listener_open_ = false;
    close_handle(reinterpret_cast<uv_handle_t*>(&listener_));
    return rc;
  }
  sockaddr_storage bound{};
  int len = sizeof bound;
  uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return 0;
}

void HttpServer::on_connection(uv_stream_t* listener, int status) {
  auto* self = static_cast<HttpServer*>(listener->data);
  self->loop_thread_ = std::this_thread::get_id();
  if (status < 0) {
    self->log_error(std::string("accept failed: ") + uv_strerror(status));
    return;
  }
  if (self->shutting_down_) return;  // the listener is closing
  if (self->connections_.size() >= self->options_.max_connections) {
    self->reject(listener);
    return;
  }
  self->connections_.push_front(std::make_unique<Connection>(*self));
  Connection& c = *self->connections_.front();
  c.self = self->connections_.begin();
  c.start(listener);
}

// Over the connection limit: accept (or the listener would keep reporting it) and close at once.
void HttpServer::reject(uv_stream_t* listener) {
  auto* tcp = new uv_tcp_t;
  uv_tcp_init(loop_, tcp);
  tcp->data = this;
  ++rejecting_;
  uv_accept(listener, reinterpret_cast<uv_stream_t*>(tcp));
  uv_close(reinterpret_cast<uv_handle_t*>(tcp), &HttpServer::on_rejected_closed);
}

void HttpServer::on_rejected_closed(uv_handle_t* handle) {
  auto* self = static_cast<HttpServer*>(handle->data);
  delete reinterpret_cast<uv_tcp_t*>(handle);
  --self->rejecting_;
  self->maybe_finish_shutdown();
}

void HttpServer::on_connection_closed(Connection* connection) {
  connections_.erase(connection->self);
  maybe_finish_shutdown();
}

// --- post ----------------------------------------------------------------------------------

bool HttpServer::post(UniqueTask task) {
  std::lock_guard<std::mutex> lock(post_mu_);
  if (!async_open_) return false;
  posted_.push_back(std::move(task));
  uv_async_send(&async_);  // coalesces: one callback may run many tasks
  return true;
}

void HttpServer::on_async(uv_async_t* async) {
  auto* self = static_cast<HttpServer*>(async->data);
  self->loop_thread_ = std::this_thread::get_id();
  self->run_posted();
}

void HttpServer::run_posted() {
  std::vector<UniqueTask> tasks;
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) {
    try {
      task();
    } catch (const std::exception& e) {
      log_error(std::string("posted task threw: ") + e.what());
    } catch (...) {
      log_error("posted task threw a non-exception");
    }
  }
}

// --- shutdown ------------------------------------------------------------------------------

void HttpServer::shutdown(std::function<void()> done) {
  check_loop_thread("HttpServer::shutdown");
  if (closed_) {
    if (done) done();
    return;
  }
  if (done) done_callbacks_.push_back(std::move(done));
  if (shutting_down_) return;
  shutting_down_ = true;
  if (listener_open_) {
    listener_open_ = false;
    close_handle(reinterpret_cast<uv_handle_t*>(&listener_));
  }
  uv_timer_start(
      &shutdown_timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<HttpServer*>(t->data);
        if (!self->connections_.empty())
          self->log_error("shutdown deadline passed; closing " + std::to_string(self->connections_.size()) +
                          " connection(s)");
        for (auto& c : self->connections_) c->close();
      },
      options_.shutdown_timeout_ms, 0);
  for (auto& c : connections_) c->drain();  // may close some; they leave the list later, in callbacks
  maybe_finish_shutdown();
}

void HttpServer::maybe_finish_shutdown() {
  if (!shutting_down_ || finishing_ || !connections_.empty() || rejecting_ > 0) return;
  finishing_ = true;
  // Tasks posted until now still run (their responders are inert by now); later posts fail.
  {
    std::lock_guard<std::mutex> lock(post_mu_);
    async_open_ = false;
  }
  run_posted();
  close_handle(reinterpret_cast<uv_handle_t*>(&async_));
  close_handle(reinterpret_cast<uv_handle_t*>(&shutdown_timer_));
}

void HttpServer::close_handle(uv_handle_t* handle) { uv_close(handle, &HttpServer::on_handle_closed); }

void HttpServer::on_handle_closed(uv_handle_t* handle) {
  auto* self = static_cast<HttpServer*>(handle->data);
  if (--self->open_handles_ > 0 || !self->finishing_) return;
  self->closed_ = true;
  std::vector<std::function<void()>> callbacks;
  callbacks.swap(self->done_callbacks_);
  for (auto& cb : callbacks) cb();  // may destroy the server: touch nothing after this
}

// --- handler and logs ----------------------------------------------------------------------

void HttpServer::invoke_handler(Request&& request, Responder responder) {
  if (!handler_) {
    responder.send_error(503, "unavailable", "no request handler is installed");
    return;
  }
  try {
    handler_(std::move(request), std::move(responder));
  } catch (const std::exception& e) {
    log_error(std::string("request handler threw: ") + e.what());
  } catch (...) {
    log_error("request handler threw a non-exception");
  }
}

void HttpServer::log_access(const AccessLogEntry& entry) {
  if (options_.access_log) log_line(format_access_line(entry));
}

void HttpServer::log_error(std::string_view message) {
  if (options_.error_log) log_line(std::string("http error: ").append(message));
}

void HttpServer::log_line(std::string_view line) {
  if (options_.log_sink) {
    options_.log_sink(line);
    return;
  }
  std::string out(line);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stderr);  // one write per line: lines from threads don't interleave
}

void HttpServer::check_loop_thread(const char* what) const {
  if (loop_thread_.load() != std::this_thread::get_id()) {
    std::fprintf(stderr, "zcache http: %s called off the loop thread (use HttpServer::post)\n", what);
    std::abort();
  }
}

}  // namespace zcache::http
