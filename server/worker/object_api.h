// The worker's object API, served to the brain and to trusted peers (authentication is checked
// before a request reaches it):
//
//   PUT    /objects/{key}   store the body. TTL and tags from Zcache-Ttl, Zcache-Stale,
//                           Zcache-Stale-If-Error (seconds) and Zcache-Tags (comma-separated), or
//                           else from Cache-Control (s-maxage/max-age, stale-while-revalidate,
//                           stale-if-error). 201, or 413 when larger than the node can hold.
//   GET    /objects/{key}   200 with the body (zero-copy from the engine), or 404.
//   HEAD   /objects/{key}   the same without a body.
//   DELETE /objects/{key}   204, or 404.
//   POST   /purge           {"keys"?, "prefix"?, "tags"?, "soft"?} → {"objects_purged", "bytes_freed"}
//   GET    /metrics         counters and the read-latency histogram (worker_metrics.h)
//
// Every answer to an object request carries Cache-Status (RFC 9211). Runs on the server's loop
// thread; engine calls never wait.
#pragma once

#include "http/request.h"
#include "http/responder.h"
#include "worker/worker_metrics.h"

#include <zcache/cache.h>

#include <string>

namespace zcache::worker {

struct ObjectApiOptions {
  std::string cache_name = "zcache";  // the name in Cache-Status
  std::int64_t default_ttl_ms = 3'600'000;
  std::size_t max_purge_keys = 10'000;
  std::size_t max_purge_tags = 1'000;
};

class ObjectApi {
 public:
  ObjectApi(Cache cache, WorkerMetrics& metrics, ObjectApiOptions options = {});

  // Answers the request when it is one of the object API's; false (and `res` untouched) otherwise.
  bool handle(http::Request& req, http::Responder& res);

 private:
  void get(const http::Request& req, std::string_view key, http::Responder& res);
  void put(http::Request& req, std::string_view key, http::Responder& res);
  void erase(std::string_view key, http::Responder& res);
  void purge(const http::Request& req, http::Responder& res);

  Cache cache_;
  WorkerMetrics& metrics_;
  ObjectApiOptions options_;
};

}  // namespace zcache::worker
