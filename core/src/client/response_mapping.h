// response_mapping.h — protocol only: an HTTP answer or a transport failure as a BrainResult.
// Kept apart from the I/O so every status can be tested on its own.
#pragma once

#include <zcache/brain_client.h>

#include <string_view>

namespace zcache::client {

// The ErrorKind of a non-2xx status (see the table in brain_client.h).
ErrorKind status_error_kind(int status) noexcept;
// 2xx: the parsed body (null when empty) or Protocol; else an Error with the status's kind, the
// server's `error.message` (or "HTTP <status>") and the status.
BrainResult interpret_answer(int status, std::string_view body);
// A request that got no complete answer.
BrainResult interpret_failure(const HttpResponse& response);
// Statuses after which an idempotent call may try again.
inline bool is_retryable_status(int status) noexcept { return status == 502 || status == 503 || status == 504; }
// Failures after which an idempotent call may try again (nothing sent, or the connection dropped).
bool is_retryable_failure(TransportError error) noexcept;
// Failures that say the brain is unreachable (these feed the circuit breaker).
bool is_unreachable_failure(TransportError error) noexcept;

}  // namespace zcache::client
