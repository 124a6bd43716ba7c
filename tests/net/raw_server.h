// raw_server.h — a loopback TCP server that answers every connection with canned bytes, for the
// answers a well-behaved HTTP server never gives (garbage, a body without end, a silent close).
// Blocking POSIX sockets on one thread; every wait has a timeout so a broken test cannot hang.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace zcache::net::test {

class RawServer {
 public:
  // For each connection: read until the end of the request head, write `reply`, close.
  explicit RawServer(std::string reply);
  ~RawServer();
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  void serve();
  std::string reply_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A loopback port with nothing listening on it (bound, read, closed): connecting is refused.
std::uint16_t unused_port();

}  // namespace zcache::net::test
