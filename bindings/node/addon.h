// The per-environment state of the addon (one per main thread and per worker_thread): the class
// constructors, the error classes, and the caches still open, which a cleanup hook closes when
// the environment is torn down. Nothing here is global, so worker_threads are safe.
#pragma once

#include "errors.h"

#include <napi.h>

#include <unordered_set>

namespace zatabase_node {

class CacheWrap;

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);
  ~Addon();

  static Addon& Of(Napi::Env env) { return *env.GetInstanceData<Addon>(); }

  Napi::FunctionReference cache_class;
  Napi::FunctionReference clock_class;
  ErrorClasses errors;

  // Open caches register themselves; a cache's close() unregisters it.
  void Track(CacheWrap* cache) { open_caches_.insert(cache); }
  void Untrack(CacheWrap* cache) { open_caches_.erase(cache); }

 private:
  Napi::Value SetErrorClasses(const Napi::CallbackInfo& info);
  // Environment teardown: close every open cache (releasing its thread-safe function) while
  // the environment can still do so.
  static void CloseAll(Addon* self);

  Napi::Env env_;
  std::unordered_set<CacheWrap*> open_caches_;
};

}  // namespace zatabase_node
