// NativeBrainClient: the JS face of one zcache::BrainClient (the brain's /v1/cache API, seed 000).
// Converts types, errors and threads only; the SDK (sdk-js/client.js) owns seconds, defaults and
// friendly argument messages. Retries, the circuit breaker, the no-op results of a disabled client
// and the HTTP status → error kind mapping are the core's (zcache/brain_client.h).
//
//   new NativeBrainClient({baseUrl?, token?, timeoutMs?, enabled?, env?})
//     → zcache::from_environment(overrides); `env` ({NAME: string}) is read in place of the
//       process environment when given (a worker_thread's process.env is its own copy).
//   getStatus() listNodes() registerNode(body) getNode(id) deregisterNode(id)
//   getNodeMetrics(id) getMetrics() purge(body) health()            → Promise
//   close()   idempotent: pending calls reject with ZatabaseClosedError, later calls throw it
//
// Bodies are converted to JSON natively (plain objects, arrays, strings, finite numbers, BigInts,
// booleans, null; undefined properties are left out as JSON.stringify does); a function, a symbol,
// a non-plain object, a cycle or nesting over kMaxBodyDepth is the argument TypeError. Results
// come back as plain JS values (objects with the brain's snake_case fields, arrays, numbers,
// strings, booleans, null).
//
// Threads: the core runs every completion on one of its own threads; the completion only queues
// a message on this client's one thread-safe function, and the promise settles on the JS thread.
// That function, and the JS object itself, are referenced only while calls are pending, so an
// idle client never keeps the event loop (or itself) alive. Nothing here blocks the event loop but
// close(), which joins the core's two threads after cancelling their work (bounded, no network).
#pragma once

#include <napi.h>
#include <zcache/brain_client.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>

namespace zatabase_node {

class BrainClientWrap : public Napi::ObjectWrap<BrainClientWrap> {
 public:
  static constexpr int kMaxBodyDepth = 64;     // request bodies (the brain's are flat)
  static constexpr int kMaxResultDepth = 256;  // answers; deeper is a Protocol error

  static Napi::Function DefineClass(Napi::Env env);
  explicit BrainClientWrap(const Napi::CallbackInfo& info);
  ~BrainClientWrap() override;

  // Idempotent. `reject_pending`: settle pending promises with ZatabaseClosedError (false only at
  // environment teardown, when JS can no longer run; the cleanup hook calls it that way).
  void Close(bool reject_pending);

 private:
  struct Channel;  // the thread-safe function and what completions need of it (shared)
  struct Message;

  // Starts one core call, its arguments already converted; returns its promise.
  using Start = std::function<void(zcache::BrainClient&, zcache::BrainClient::Callback)>;
  Napi::Value Call(Napi::Env env, const Start& start);
  void Complete(Napi::Env env, Message& message);  // JS thread
  void Idle(Napi::Env env);                        // the last pending call settled

  Napi::Value GetStatus(const Napi::CallbackInfo& info);
  Napi::Value ListNodes(const Napi::CallbackInfo& info);
  Napi::Value RegisterNode(const Napi::CallbackInfo& info);
  Napi::Value GetNode(const Napi::CallbackInfo& info);
  Napi::Value DeregisterNode(const Napi::CallbackInfo& info);
  Napi::Value GetNodeMetrics(const Napi::CallbackInfo& info);
  Napi::Value GetMetrics(const Napi::CallbackInfo& info);
  Napi::Value Purge(const Napi::CallbackInfo& info);
  Napi::Value Health(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value Closed(const Napi::CallbackInfo& info);
  Napi::Value Config(const Napi::CallbackInfo& info);

  std::unique_ptr<zcache::BrainClient> client_;  // null once closed
  std::shared_ptr<Channel> channel_;
  std::unordered_map<std::uint32_t, Napi::Promise::Deferred> pending_;  // JS thread only
  std::uint32_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace zatabase_node
