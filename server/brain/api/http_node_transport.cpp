#include "brain/api/node_transport.h"

#include <exception>
#include <utility>

namespace zcache::brain {

HttpNodeTransport::HttpNodeTransport(HttpClientOptions options)
    : client_(std::make_unique<HttpClient>(std::move(options))) {}

HttpNodeTransport::~HttpNodeTransport() { shutdown(); }

void HttpNodeTransport::send(HttpRequest request, Callback done) {
  try {
    client_->send(std::move(request), done);
  } catch (const std::exception& e) {
    // Closed (shut down) or a bad option: the caller still gets its one answer.
    HttpResponse failed;
    failed.error = TransportError::Cancelled;
    failed.error_message = e.what();
    done(std::move(failed));
  }
}

void HttpNodeTransport::shutdown() {
  if (client_) client_->shutdown(ShutdownMode::Cancel);
}

}  // namespace zcache::brain
