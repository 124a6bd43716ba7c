// HttpClient: the public face of ClientLoop (see client_loop.h for the threads and the shutdown).
#include <zcache/http_client.h>

#include "net/client_loop.h"

namespace zcache {

HttpClient::HttpClient(HttpClientOptions options)
    : loop_(std::make_shared<detail::ClientLoop>(std::move(options))) {
  loop_->start();
}

HttpClient::~HttpClient() { loop_->release(); }

void HttpClient::send(HttpRequest request, Callback done) { loop_->submit(std::move(request), std::move(done)); }

std::future<HttpResponse> HttpClient::send(HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  std::future<HttpResponse> response = promise->get_future();
  send(std::move(request), [promise](HttpResponse r) { promise->set_value(std::move(r)); });
  return response;
}

void HttpClient::shutdown(ShutdownMode mode) { loop_->shutdown(mode); }

HttpClientStats HttpClient::stats() const noexcept { return loop_->stats(); }

}  // namespace zcache
