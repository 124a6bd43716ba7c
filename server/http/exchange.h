// exchange.h — one request/response pair on a connection (internal to the server).
//
// Shared by the connection's response queue and the request's Responder. Invariants:
// - `connection` is non-null exactly while the connection is open; the connection clears it when it
//   closes, which makes a late Responder inert instead of dangling.
// - state only moves forward: kWaiting → kReady (answered) → kWritten. Only the loop thread touches it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "response.h"

namespace zcache::http {

class Connection;

struct Exchange {
  enum class State : uint8_t { kWaiting, kReady, kWritten };

  Connection* connection = nullptr;
  State state = State::kWaiting;
  bool head_request = false;
  bool keep_alive = true;        // the request allows another one after it
  bool keep_alive_10 = false;    // HTTP/1.0 request that asked for keep-alive
  std::string_view method = "-";
  std::string target = "-";      // for the log line
  std::string request_id;
  uint64_t received_ns = 0;

  Response response;
  std::string head;              // serialized status line + headers, built when written
  uint64_t bytes_out = 0;        // head + body bytes handed to the socket
};

}  // namespace zcache::http
