// http_server.h — an HTTP/1.1 server on a libuv loop, shared by the brain and the worker.
//
//   uv_loop_t* loop = uv_default_loop();
//   HttpServer server(loop, ServerOptions{}, [](Request&& req, Responder res) {
//     res.send_json(200, R"({"ok":true})");
//   });
//   server.listen("127.0.0.1", 0);          // port() tells which port was picked
//   ... uv_run(loop, UV_RUN_DEFAULT);        // returns after shutdown() has completed
//
// Threading: everything runs on the loop thread — construct, listen, shutdown and answer there.
// post() is the one thread-safe entry point: handlers that finish elsewhere post their answer.
//
// Lifetime: the server owns its libuv handles (listener, async, shutdown timer) and its
// connections. shutdown() stops accepting, lets in-flight requests finish and flush, closes idle
// keep-alive connections, force-closes what is left at the deadline, releases every handle, and
// then calls its callback; only after that may the server be destroyed (the destructor aborts
// otherwise — a handle freed while libuv still uses it would corrupt the loop).
#pragma once

#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "access_log.h"
#include "request.h"
#include "request_id.h"
#include "responder.h"
#include "response.h"
#include "response_head.h"
#include "server_options.h"
#include "unique_task.h"

namespace zcache::http {

class Connection;

class HttpServer {
 public:
  using Handler = std::function<void(Request&&, Responder)>;

  HttpServer(uv_loop_t* loop, ServerOptions options = {}, Handler handler = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Requests arriving before a handler is set get 503.
  void set_handler(Handler handler) { handler_ = std::move(handler); }

  // Binds and listens ("127.0.0.1", "0.0.0.0", "::1", "localhost"; port 0 = any free port).
  // Returns 0 or a negative libuv error (uv_strerror tells which). One listener per server.
  int listen(const std::string& host, uint16_t port);
  uint16_t port() const noexcept { return port_; }

  // Runs `task` on the loop thread soon. Safe from any thread. The task may own move-only state
  // (a Responder). Returns false, and destroys the task on the calling thread, once shutdown has
  // completed (by then every Responder is inert, so destroying one anywhere is safe).
  bool post(UniqueTask task);

  // Graceful shutdown (see the header comment); `done` runs on the loop thread when every handle
  // is released. Calling it again only adds another callback.
  void shutdown(std::function<void()> done = {});
  bool closed() const noexcept { return closed_; }

  size_t connection_count() const noexcept { return connections_.size(); }
  uv_loop_t* loop() const noexcept { return loop_; }
  const ServerOptions& options() const noexcept { return options_; }

 private:
  friend class Connection;
  friend class Responder;

  static void on_connection(uv_stream_t* listener, int status);
  static void on_async(uv_async_t* async);
  static void on_handle_closed(uv_handle_t* handle);
  static void on_rejected_closed(uv_handle_t* handle);

  void reject(uv_stream_t* listener);
  void run_posted();
  void on_connection_closed(Connection* connection);
  void maybe_finish_shutdown();
  void close_handle(uv_handle_t* handle);

  void invoke_handler(Request&& request, Responder responder);
  void log_access(const AccessLogEntry& entry);
  void log_error(std::string_view message);
  void log_line(std::string_view line);
  void check_loop_thread(const char* what) const;
  std::string next_request_id() { return ids_.next(); }
  std::string_view http_date() { return date_.now(); }

  uv_loop_t* loop_;
  ServerOptions options_;
  Handler handler_;

  uv_tcp_t listener_;
  uv_async_t async_;
  uv_timer_t shutdown_timer_;
  bool listener_open_ = false;
  int open_handles_ = 0;      // listener, async, shutdown timer while open
  size_t rejecting_ = 0;      // over-limit sockets being closed
  uint16_t port_ = 0;

  std::list<std::unique_ptr<Connection>> connections_;

  std::mutex post_mu_;
  std::vector<UniqueTask> posted_;  // guarded by post_mu_
  bool async_open_ = false;                    // guarded by post_mu_

  bool shutting_down_ = false;
  bool finishing_ = false;  // handles are being closed
  bool closed_ = false;
  std::vector<std::function<void()>> done_callbacks_;

  std::atomic<std::thread::id> loop_thread_{};
  RequestIdGenerator ids_;
  HttpDate date_;
  char read_buffer_[64 * 1024];  // shared by all connections; see Connection::on_alloc
};

}  // namespace zcache::http
