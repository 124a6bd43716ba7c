// transfer.h — one request on one libcurl easy handle: set-up, response gathering, teardown.
//
// Owned and used by the client thread only. A Transfer outlives many requests: after finish() or
// abort() its easy handle is reset and can carry the next request, which spares the allocation and
// set-up of a fresh handle on the hot path (the connections themselves live in the multi handle's
// pool, not here).
//
// Invariant: between prepare() and finish()/abort() the transfer holds a callback that has not been
// called, and libcurl may point into request_body_ and header_list_, so neither may change.
#pragma once

#include <zcache/http_client.h>

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "net/response_head.h"

namespace zcache::net {

class Transfer {
 public:
  // Null when libcurl cannot allocate an easy handle.
  static std::unique_ptr<Transfer> create();
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Sets up the easy handle for `request`. On a request that cannot be sent, returns
  // InvalidRequest (or Internal) with a message in `*why`; the transfer is then reset and still
  // holds `done`, to be completed by the caller with abort().
  TransportError prepare(HttpRequest&& request, HttpClient::Callback&& done, const HttpClientOptions& options,
                         std::string* why);

  CURL* easy() const noexcept { return easy_; }
  static Transfer* from_easy(CURL* easy) noexcept;

  // The response of a transfer libcurl finished with `code`. Resets the handle for the next use.
  HttpResponse finish(CURLcode code);
  // A response carrying `error` (for a transfer that never ran or was removed unfinished).
  HttpResponse abort(TransportError error, std::string message);
  // New TCP connections libcurl opened for the last finished transfer.
  long connections_opened() const noexcept { return connections_opened_; }

  HttpClient::Callback take_callback() noexcept { return std::move(done_); }

  std::size_t slot = 0;  // index in the client's list of active transfers

 private:
  explicit Transfer(CURL* easy) noexcept : easy_(easy) {}
  void reset() noexcept;

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);

  CURL* easy_;
  curl_slist* header_list_ = nullptr;
  std::string request_body_;  // CURLOPT_POSTFIELDS points into it (libcurl does not copy it)
  HttpClient::Callback done_;

  ResponseHead head_;
  std::string body_;
  std::size_t max_body_ = 0;
  bool too_large_ = false;  // a limit of ours stopped the transfer (libcurl only sees a write error)
  long connections_opened_ = 0;
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace zcache::net
