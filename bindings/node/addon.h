// The per-environment state of the addon (one per main thread and per worker_thread): the class
// constructors, the error classes, and the caches and brain clients still open, which a cleanup
// hook closes when the environment is torn down. Nothing here is global, so worker_threads are safe.
#pragma once

#include "errors.h"

#include <napi.h>

#include <unordered_set>

namespace zatabase_node {

class CacheWrap;
class BrainClientWrap;

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);
  ~Addon();

  static Addon& Of(Napi::Env env) { return *env.GetInstanceData<Addon>(); }

  Napi::FunctionReference cache_class;
  Napi::FunctionReference clock_class;
  Napi::FunctionReference brain_client_class;
  ErrorClasses errors;

  // Open caches register themselves; a cache's close() unregisters it.
  void Track(CacheWrap* cache) { open_caches_.insert(cache); }
  void Untrack(CacheWrap* cache) { open_caches_.erase(cache); }
  // Open brain clients likewise.
  void Track(BrainClientWrap* client) { open_clients_.insert(client); }
  void Untrack(BrainClientWrap* client) { open_clients_.erase(client); }

 private:
  Napi::Value SetErrorClasses(const Napi::CallbackInfo& info);
  // Environment teardown: close every open cache and brain client (releasing its thread-safe
  // function; a client also cancels its calls) while the environment can still do so.
  static void CloseAll(Addon* self);

  Napi::Env env_;
  std::unordered_set<CacheWrap*> open_caches_;
  std::unordered_set<BrainClientWrap*> open_clients_;
};

}  // namespace zatabase_node
