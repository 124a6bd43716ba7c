#include "net/transport_error.h"

namespace zcache {

std::string_view transport_error_name(TransportError error) noexcept {
  switch (error) {
    case TransportError::None: return "none";
    case TransportError::Connect: return "connect";
    case TransportError::Dns: return "dns";
    case TransportError::Tls: return "tls";
    case TransportError::Timeout: return "timeout";
    case TransportError::ConnectionLost: return "connection_lost";
    case TransportError::Protocol: return "protocol";
    case TransportError::TooLarge: return "too_large";
    case TransportError::InvalidRequest: return "invalid_request";
    case TransportError::Cancelled: return "cancelled";
    case TransportError::Internal: return "internal";
  }
  return "internal";
}

ErrorKind transport_error_kind(TransportError error) noexcept {
  switch (error) {
    // Unreachable or gone: the brain client's retry and circuit breaker treat these alike. A lost
    // connection is Unavailable rather than Io because, to a caller, the server went away.
    case TransportError::Connect:
    case TransportError::Dns:
    case TransportError::ConnectionLost: return ErrorKind::Unavailable;
    case TransportError::Timeout: return ErrorKind::Timeout;
    // A TLS failure is a peer we cannot talk to securely; retrying does not help.
    case TransportError::Tls:
    case TransportError::Protocol: return ErrorKind::Protocol;
    case TransportError::TooLarge: return ErrorKind::TooLarge;
    case TransportError::InvalidRequest: return ErrorKind::InvalidArgument;
    case TransportError::Cancelled: return ErrorKind::Cancelled;
    case TransportError::None:
    case TransportError::Internal: return ErrorKind::Internal;
  }
  return ErrorKind::Internal;
}

Error HttpResponse::to_error() const {
  std::string message(transport_error_name(error));
  if (!error_message.empty()) message += ": " + error_message;
  return Error(error_kind(), message);
}

namespace net {

TransportError classify_curl_result(CURLcode code, bool connected) noexcept {
  switch (code) {
    case CURLE_OK: return TransportError::None;

    case CURLE_COULDNT_CONNECT: return TransportError::Connect;
    case CURLE_OPERATION_TIMEDOUT: return connected ? TransportError::Timeout : TransportError::Connect;

    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return TransportError::Dns;

    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return TransportError::Tls;

    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:      // closed before any answer (e.g. a stale kept-alive connection)
    case CURLE_PARTIAL_FILE: return TransportError::ConnectionLost;  // closed mid-body

    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_BAD_CONTENT_ENCODING: return TransportError::Protocol;

    case CURLE_FILESIZE_EXCEEDED: return TransportError::TooLarge;  // announced Content-Length

    // Before sending: a scheme we refuse. After: the server answered HTTP/0.9 (i.e. not HTTP).
    case CURLE_UNSUPPORTED_PROTOCOL: return connected ? TransportError::Protocol : TransportError::InvalidRequest;

    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT: return TransportError::InvalidRequest;

    case CURLE_ABORTED_BY_CALLBACK: return TransportError::Cancelled;

    default: return TransportError::Internal;  // out of memory, write errors of ours, misuse
  }
}

}  // namespace net
}  // namespace zcache
