// zcache/error.h — the one list of error kinds, and the one exception type that carries them.
//
// Everything the core reports goes through zcache::Error. Each binding maps ErrorKind to its own
// language's error classes in exactly one function (JS: ZatabaseError subclasses with `code`;
// Python: the ZcacheError hierarchy). Nothing else crosses the core's boundary.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zcache {

// X(Name, "code"): the code is the stable, lower-case name the SDKs expose.
#define ZCACHE_ERROR_KINDS(X)                                                 \
  X(InvalidArgument, "invalid_argument") /* a caller passed a bad value */    \
  X(TooLarge, "too_large")               /* an entry or body over a limit */  \
  X(NotFound, "not_found")                                                    \
  X(Conflict, "conflict")                /* e.g. a named cache re-opened with other options */ \
  X(Timeout, "timeout")                  /* a fetch or a request ran past its deadline */ \
  X(Cancelled, "cancelled")              /* a fetch was abandoned by its leader */ \
  X(FetchFailed, "fetch_failed")         /* the fetcher of a single-flight fill failed */ \
  X(Closed, "closed")                    /* the object was closed */          \
  X(Unavailable, "unavailable")          /* a server could not be reached (HTTP 503) */ \
  X(Unauthorized, "unauthorized")                                             \
  X(Forbidden, "forbidden")                                                   \
  X(BadRequest, "bad_request")                                                \
  X(RateLimited, "rate_limited")                                              \
  X(Protocol, "protocol")                /* a peer answered something we cannot read */ \
  X(Io, "io")                            /* the file system or a socket failed */ \
  X(Corrupt, "corrupt")                  /* a file is not ours or is damaged */ \
  X(Internal, "internal")                /* a bug: never caused by input */

enum class ErrorKind : std::uint8_t {
#define ZCACHE_X(name, code) name,
  ZCACHE_ERROR_KINDS(ZCACHE_X)
#undef ZCACHE_X
};

// "invalid_argument", "timeout", ... (stable; used as `code` by the SDKs).
std::string_view error_code(ErrorKind kind) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, int http_status = 0)
      : std::runtime_error(std::string()), message_(message), kind_(kind), http_status_(http_status) {}

  const char* what() const noexcept override { return message_.c_str(); }
  ErrorKind kind() const noexcept { return kind_; }
  std::string_view code() const noexcept { return error_code(kind_); }
  // The HTTP status that caused this error, or 0 when it did not come from HTTP.
  int http_status() const noexcept { return http_status_; }

  // Opaque data a binding attaches to a FetchFailed error so that waiters on its own thread
  // can receive the original error object of their language; the core never looks inside.
  std::shared_ptr<void> payload;

 private:
  // Not runtime_error's own message: libstdc++ shares that string between copies through a
  // reference count inside libstdc++.so, which ThreadSanitizer cannot see, and errors are copied
  // across threads (a writer thread's failed commit is thrown by flush() on the caller's). TSan
  // reported the last copy's release racing a read of what() in CI. Each copy owns this one.
  std::string message_;
  ErrorKind kind_;
  int http_status_;
};

}  // namespace zcache
