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
//   POST   /purge           {"keys"?, "prefix"?, "tags"?, "soft"?, "sequence"?}
//                           → {"objects_purged", "bytes_freed"}
//   GET    /metrics         counters and the read-latency histogram (worker_metrics.h)
//
// Every answer to an object request carries Cache-Status (RFC 9211); its detail says which tier
// served a hit: `memory` or `disk`. Runs on the server's loop thread; engine calls never wait.
//
// Hybrid node (the engine has a replica, CacheOptions::replica): a GET that misses memory reads
// through the file (Cache::lookup) and is answered later: the engine's callback runs on a replica
// reader thread and hops back to the loop through `post`. The worker has no origin, so a read
// through that finds nothing (Lead, or a ticket of any kind) drops its ticket and answers 404. A
// DELETE asks the file whether it held the key before erasing both tiers, and a purge answers
// with the engine's one set of counts for both tiers once the file committed. Without a replica
// every request is answered at once from memory, exactly as before.
#pragma once

#include "http/request.h"
#include "http/responder.h"
#include "worker/worker_metrics.h"

#include "http/unique_task.h"

#include <zcache/cache.h>

#include <functional>
#include <memory>
#include <string>

namespace zcache::worker {

struct ObjectApiOptions {
  std::string cache_name = "zcache";  // the name in Cache-Status
  std::int64_t default_ttl_ms = 3'600'000;
  std::size_t max_purge_keys = 10'000;
  std::size_t max_purge_tags = 1'000;
  // Runs a task on the loop thread; callable from any thread, false (task destroyed on the
  // calling thread) once the server is gone. Needed only with a replica (answers that wait on the
  // file); the node wires it to HttpServer::post.
  std::function<bool(http::UniqueTask)> post;
};

class ObjectApi {
 public:
  ObjectApi(Cache cache, WorkerMetrics& metrics, ObjectApiOptions options = {});

  // Answers the request when it is one of the object API's; false (and `res` untouched) otherwise.
  bool handle(http::Request& req, http::Responder& res);

 private:
  void get(const http::Request& req, std::string_view key, http::Responder& res);
  void get_through(const http::Request& req, std::string_view key, http::Responder& res);
  // Answers a GET from an entry (empty: 404 miss); `tier` is the Cache-Status detail.
  void answer_get(http::Responder& res, bool head, std::uint64_t since_ns, EntryRef value, bool stale,
                  const char* tier);
  void put(http::Request& req, std::string_view key, http::Responder& res);
  void erase(std::string_view key, http::Responder& res);
  void purge(const http::Request& req, http::Responder& res);

  Cache cache_;
  std::shared_ptr<ReplicaStore> replica_;  // the engine's (null: memory only)
  WorkerMetrics& metrics_;
  ObjectApiOptions options_;
  // options_.post, shared with callbacks on the store's threads. The tasks they post capture
  // `this`: they run on the loop, which the server (and so this object) outlives; the callbacks
  // themselves touch nothing of this object but the copy they hold.
  std::shared_ptr<const std::function<bool(http::UniqueTask)>> post_;
};

}  // namespace zcache::worker
