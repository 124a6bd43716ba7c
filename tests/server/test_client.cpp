#include "test_client.h"

#include <arpa/inet.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace zcache::http::test {

// --- TestServer ----------------------------------------------------------------------------

ServerOptions TestServer::quiet_options() {
  ServerOptions o;
  o.access_log = false;
  o.error_log = false;
  return o;
}

TestServer::TestServer(HttpServer::Handler handler, ServerOptions options) {
  done_future_ = done_.get_future().share();
  std::promise<uint16_t> ready;
  auto ready_future = ready.get_future();
  thread_ = std::thread([this, &ready, handler = std::move(handler), options = std::move(options)]() mutable {
    uv_loop_init(&loop_);
    server_ = std::make_unique<HttpServer>(&loop_, std::move(options), std::move(handler));
    int rc = server_->listen("127.0.0.1", 0);
    if (rc != 0) {
      server_->shutdown([this] { done_.set_value(); });
      uv_run(&loop_, UV_RUN_DEFAULT);
      server_.reset();
      uv_loop_close(&loop_);
      ready.set_exception(std::make_exception_ptr(std::runtime_error(std::string("listen: ") + uv_strerror(rc))));
      return;
    }
    ready.set_value(server_->port());
    uv_run(&loop_, UV_RUN_DEFAULT);  // returns once shutdown released every handle
    // The server itself is destroyed by stop(), after the join, so tests may still call post()
    // on a shut-down server.
  });
  try {
    port_ = ready_future.get();
  } catch (...) {
    stopped_ = true;
    thread_.join();
    throw;
  }
}

TestServer::~TestServer() { stop(); }

void TestServer::run_on_loop(std::function<void()> fn) {
  std::promise<void> ran;
  auto f = ran.get_future();
  if (!server_->post([&] {
        try {
          fn();
          ran.set_value();
        } catch (...) {
          ran.set_exception(std::current_exception());
        }
      }))
    return;
  f.get();  // rethrows what fn threw
}

std::shared_future<void> TestServer::begin_shutdown() {
  if (!shutdown_requested_) {
    shutdown_requested_ = true;
    HttpServer* s = server_.get();
    s->post([this, s] { s->shutdown([this] { done_.set_value(); }); });
  }
  return done_future_;
}

bool TestServer::stop(std::chrono::milliseconds timeout) {
  if (stopped_) return true;
  stopped_ = true;
  auto f = begin_shutdown();
  bool ok = f.wait_for(timeout) == std::future_status::ready;
  if (!ok) {
    std::fprintf(stderr, "test server: shutdown did not complete in time\n");
    std::abort();  // a hung loop thread cannot be joined; fail loudly rather than hang the suite
  }
  thread_.join();
  server_.reset();
  uv_run(&loop_, UV_RUN_DEFAULT);  // close callbacks of anything else (none expected)
  if (uv_loop_close(&loop_) != 0) std::fprintf(stderr, "test server: loop still had handles\n");
  return ok;
}

// --- Client --------------------------------------------------------------------------------

Client::Client(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

bool Client::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

void Client::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

void Client::reset() {
  if (fd_ < 0) return;
  linger lg{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd_);
  fd_ = -1;
}

int Client::fill() {
  if (fd_ < 0) return 0;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      buffer_.append(buf, size_t(n));
      return 1;
    }
    if (n == 0) return 0;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
    return 0;  // ECONNRESET and friends
  }
}

namespace {
struct ResponseParse {
  ClientResponse response;
  bool head = false;
  bool complete = false;
  bool in_value = false;
};

int on_field(http_parser* p, const char* at, size_t len) {
  auto* s = static_cast<ResponseParse*>(p->data);
  auto& f = s->response.headers.fields();
  if (f.empty() || s->in_value) f.emplace_back();
  s->in_value = false;
  f.back().first.append(at, len);
  return 0;
}
int on_value(http_parser* p, const char* at, size_t len) {
  auto* s = static_cast<ResponseParse*>(p->data);
  s->in_value = true;
  s->response.headers.fields().back().second.append(at, len);
  return 0;
}
int on_headers_complete(http_parser* p) {
  auto* s = static_cast<ResponseParse*>(p->data);
  s->response.status = int(p->status_code);
  s->response.keep_alive = http_should_keep_alive(p) != 0;
  // 1xx interim responses are not what the caller waits for: skip them.
  return s->head ? 1 : 0;
}
int on_body(http_parser* p, const char* at, size_t len) {
  static_cast<ResponseParse*>(p->data)->response.body.append(at, len);
  return 0;
}
int on_complete(http_parser* p) {
  auto* s = static_cast<ResponseParse*>(p->data);
  if (s->response.status >= 100 && s->response.status < 200) {  // interim: start over
    s->response = ClientResponse{};
    return 0;
  }
  s->complete = true;
  http_parser_pause(p, 1);
  return 0;
}
}  // namespace

std::optional<ClientResponse> Client::read_response(bool head) {
  if (fd_ < 0) return std::nullopt;
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_header_field = on_field;
  settings.on_header_value = on_value;
  settings.on_headers_complete = on_headers_complete;
  settings.on_body = on_body;
  settings.on_message_complete = on_complete;
  http_parser parser;
  http_parser_init(&parser, HTTP_RESPONSE);
  ResponseParse state;
  state.head = head;
  parser.data = &state;
  size_t offset = 0;  // bytes of buffer_ already fed
  for (;;) {
    if (offset < buffer_.size()) {
      size_t n = http_parser_execute(&parser, &settings, buffer_.data() + offset, buffer_.size() - offset);
      if (state.complete) {
        buffer_.erase(0, offset + n);
        return std::move(state.response);
      }
      if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) return std::nullopt;
      offset += n;
    }
    if (fill() != 1) return std::nullopt;
  }
}

bool Client::wait_closed() {
  if (fd_ < 0) return true;
  for (;;) {
    buffer_.clear();
    int r = fill();
    if (r < 0) return false;
    if (r == 0) {
      ::close(fd_);  // so a lingering server sees our close at once
      fd_ = -1;
      return true;
    }
  }
}

std::string Client::read_until(std::string_view marker) {
  for (;;) {
    size_t at = buffer_.find(marker);
    if (at != std::string::npos) {
      std::string out = buffer_.substr(0, at + marker.size());
      buffer_.erase(0, at + marker.size());
      return out;
    }
    if (fill() != 1) return std::exchange(buffer_, std::string());
  }
}

std::string Client::read_raw_until_close() {
  while (fill() == 1) {
  }
  return std::exchange(buffer_, std::string());
}

std::optional<ClientResponse> Client::get(std::string_view path, std::string_view extra_headers) {
  std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
  if (!send(req)) return std::nullopt;
  return read_response();
}

std::optional<ClientResponse> request_once(uint16_t port, std::string_view raw, bool head) {
  Client c(port);
  if (!c.connected() || !c.send(raw)) return std::nullopt;
  return c.read_response(head);
}

}  // namespace zcache::http::test
