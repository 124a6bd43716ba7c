// transport_error.h — how a finished libcurl transfer's result code reads as a TransportError.
//
// Pure mapping, kept apart from the I/O so the table can be tested entry by entry.
#pragma once

#include <zcache/http_client.h>

#include <curl/curl.h>

namespace zcache::net {

// `connected`: the transfer got as far as sending its request (libcurl recorded a pre-transfer
// time). It tells a timeout before anything was sent (the server is unreachable: Connect, safe to
// retry) from one while waiting for the answer (Timeout).
TransportError classify_curl_result(CURLcode code, bool connected) noexcept;

}  // namespace zcache::net
