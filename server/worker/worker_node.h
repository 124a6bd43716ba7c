// A worker node assembled: the engine (its byte budget is the node's capacity), the object API
// behind Bearer authentication, and the registration with the brain, all on one libuv loop.
//
// Registration doubles as the heartbeat: the node POSTs /v1/cache/nodes/register every
// heartbeat interval. The brain answers with the same node_id for the same endpoint, so a
// restarted worker keeps its identity and a brain that lost its registry learns the node again.
//
// Hybrid node: with `data_path` the engine sits on a ReplicaStore (that SQLite file, budget
// `disk_capacity_bytes`): hot objects in memory, the rest on disk, and a restart on the same file
// keeps them. The constructor opens the file; the store commits its queue and closes when the
// node (the engine's last handle) is destroyed.
//
// Threading: construct, start and shutdown on the loop thread; the HTTP client's answers and the
// replica's results are posted back to it.
#pragma once

#include "auth/verified_tokens.h"
#include "http/http_server.h"
#include "worker/object_api.h"
#include "worker/worker_metrics.h"

#include <zcache/cache.h>
#include <zcache/http_client.h>

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace zcache::worker {

struct WorkerNodeOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 9001;      // 0 picks a free one
  std::string advertise;                 // the URL the brain uses; empty: http://HOST:PORT
  std::string brain_url;                 // empty: run without a brain
  std::string secret;                    // shared with the brain: verifies and signs tokens
  std::string region = "local";
  std::uint64_t capacity_bytes = 512ull << 20;
  std::string data_path;                 // the SQLite file beneath memory; empty: memory only
  std::uint64_t disk_capacity_bytes = 10ull << 30;
  bool data_rebuild = false;             // an unreadable/foreign file is moved aside, not fatal
  std::int64_t heartbeat_interval_ms = 10'000;
  std::int64_t brain_timeout_ms = 10'000;
  http::ServerOptions server;
};

class WorkerNode {
 public:
  // Throws std::runtime_error naming the data file when it cannot be opened (corrupt, foreign,
  // newer schema, unreachable path).
  WorkerNode(uv_loop_t* loop, WorkerNodeOptions options);
  ~WorkerNode();
  WorkerNode(const WorkerNode&) = delete;
  WorkerNode& operator=(const WorkerNode&) = delete;

  // Listens and starts registering. Throws std::runtime_error naming the address on failure.
  void start();
  // Stops registering, drains requests, closes every handle; `done` runs on the loop thread.
  void shutdown(std::function<void()> done);

  // Runs `task` on the loop thread soon; safe from any thread (false once shut down).
  bool post(http::UniqueTask task) { return server_.post(std::move(task)); }

  std::uint16_t port() const noexcept { return server_.port(); }
  const std::string& advertise_url() const noexcept { return advertise_; }
  const std::string& node_id() const noexcept { return node_id_; }  // empty until registered
  Cache& cache() noexcept { return cache_; }

 private:
  void handle(http::Request&& req, http::Responder res);
  void register_with_brain();
  void on_registered(int status, std::string body, std::string error);

  // The way back to the loop for threads that may outlive the server (the replica's callbacks):
  // closed in the destructor, before the server goes.
  struct LoopGate {
    std::mutex mu;
    http::HttpServer* server = nullptr;  // guarded by mu
  };

  static ObjectApiOptions api_options(std::shared_ptr<LoopGate> gate);

  uv_loop_t* loop_;
  WorkerNodeOptions options_;
  std::shared_ptr<LoopGate> gate_ = std::make_shared<LoopGate>();
  Cache cache_;
  WorkerMetrics metrics_;
  ObjectApi api_;
  http::HttpServer server_;
  auth::VerifiedTokens tokens_;
  std::unique_ptr<HttpClient> client_;
  uv_timer_t heartbeat_;
  bool heartbeat_open_ = false;
  std::string advertise_;
  std::string node_id_;
  bool last_registration_failed_ = false;
};

}  // namespace zcache::worker
