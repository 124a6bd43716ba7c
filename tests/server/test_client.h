// test_client.h — helpers for the server tests: a server running its own loop on a background
// thread, and a blocking POSIX-socket client that writes raw bytes and parses responses with
// http_parser. Every blocking call has a timeout, so a broken server fails a test, never hangs it.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http/http_server.h"

namespace zcache::http::test {

// An HttpServer on 127.0.0.1:<free port>, its loop on a thread of its own.
class TestServer {
 public:
  explicit TestServer(HttpServer::Handler handler, ServerOptions options = quiet_options());
  ~TestServer();  // shuts down gracefully if stop() was not called
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  static ServerOptions quiet_options();

  uint16_t port() const { return port_; }
  // Only for use on the loop thread (inside handlers and posted tasks).
  HttpServer& server() { return *server_; }
  uv_loop_t* loop() { return &loop_; }

  // Runs fn on the loop thread and waits for it.
  void run_on_loop(std::function<void()> fn);
  // Starts a graceful shutdown from the test thread; the future is ready when done_cb ran.
  std::shared_future<void> begin_shutdown();
  // Shuts down (if not yet) and joins the loop thread; true when the loop ended in time.
  bool stop(std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  uv_loop_t loop_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
  std::promise<void> done_;
  std::shared_future<void> done_future_;
  bool shutdown_requested_ = false;
  bool stopped_ = false;
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  bool keep_alive = true;
  std::string header(std::string_view name) const { return std::string(headers.get(name)); }
};

class Client {
 public:
  explicit Client(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes all bytes; false if the peer closed or reset.
  bool send(std::string_view bytes);
  void shutdown_write();
  // Closes with a TCP reset (SO_LINGER 0): the server sees ECONNRESET, not a half-close.
  void reset();
  // Reads the next response (HEAD: `head` must be true so no body is expected). nullopt on
  // timeout, EOF or a malformed response.
  std::optional<ClientResponse> read_response(bool head = false);
  // Reads and discards until the server closes (EOF or reset), then closes our end: true;
  // false on timeout.
  bool wait_closed();
  // Reads until `marker` arrives; returns (and consumes) everything up to and including it, or
  // what was received when the connection ended or timed out.
  std::string read_until(std::string_view marker);
  // Everything received until EOF/timeout, raw.
  std::string read_raw_until_close();
  // Bytes already received but not yet consumed as a response.
  const std::string& pending() const { return buffer_; }

  // Convenience: GET `path` on this connection.
  std::optional<ClientResponse> get(std::string_view path, std::string_view extra_headers = {});

 private:
  // recv into buffer_; 1 = got data, 0 = EOF/reset, -1 = timeout.
  int fill();
  int fd_ = -1;
  std::string buffer_;
};

// Sends one request on a fresh connection and returns the response.
std::optional<ClientResponse> request_once(uint16_t port, std::string_view raw, bool head = false);

}  // namespace zcache::http::test
