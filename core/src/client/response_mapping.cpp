#include "client/response_mapping.h"

#include <string>

namespace zcache::client {

ErrorKind status_error_kind(int status) noexcept {
  switch (status) {
    case 400: return ErrorKind::BadRequest;
    case 401: return ErrorKind::Unauthorized;
    case 403: return ErrorKind::Forbidden;
    case 404: return ErrorKind::NotFound;
    case 409: return ErrorKind::Conflict;
    case 413: return ErrorKind::TooLarge;
    case 422: return ErrorKind::BadRequest;
    case 429: return ErrorKind::RateLimited;
    case 502:
    case 503: return ErrorKind::Unavailable;
    case 504: return ErrorKind::Timeout;
    default: break;
  }
  if (status >= 400 && status < 500) return ErrorKind::BadRequest;
  if (status >= 500 && status < 600) return ErrorKind::Internal;
  return ErrorKind::Protocol;  // 1xx that ended the exchange, 3xx (redirects are not followed)
}

namespace {

// The brain's `{"error":{"code","message"}}`; a proxy's HTML page gives "HTTP <status>: <start>".
std::string error_message(int status, std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto e = j.find("error");
    if (e != j.end() && e->is_object()) {
      auto m = e->find("message");
      if (m != e->end() && m->is_string() && !m->get_ref<const std::string&>().empty()) return m->get<std::string>();
    }
  }
  std::string message = "HTTP " + std::to_string(status);
  if (!body.empty()) {
    constexpr std::size_t kMaxSnippet = 200;
    message += ": ";
    message += body.substr(0, kMaxSnippet);
  }
  return message;
}

}  // namespace

BrainResult interpret_answer(int status, std::string_view body) {
  if (status >= 200 && status < 300) {
    if (body.empty()) return BrainResult(nlohmann::json(nullptr));
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
      return BrainResult(Error(ErrorKind::Protocol, "the brain answered " + std::to_string(status) +
                                                        " with a body that is not JSON", status));
    return BrainResult(std::move(j));
  }
  return BrainResult(Error(status_error_kind(status), error_message(status, body), status));
}

BrainResult interpret_failure(const HttpResponse& response) {
  std::string message = "brain request failed (" + std::string(transport_error_name(response.error)) + ")";
  if (!response.error_message.empty()) message += ": " + response.error_message;
  return BrainResult(Error(response.error_kind(), message));
}

bool is_retryable_failure(TransportError error) noexcept {
  return error == TransportError::Connect || error == TransportError::Dns || error == TransportError::ConnectionLost;
}

bool is_unreachable_failure(TransportError error) noexcept {
  return error == TransportError::Connect || error == TransportError::Dns ||
         error == TransportError::ConnectionLost || error == TransportError::Timeout || error == TransportError::Tls;
}

}  // namespace zcache::client
