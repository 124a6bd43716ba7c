// NativeCache: the JS face of one zcache::Cache handle (a private engine, or the process-wide
// named engine shared by every worker_thread). Converts types, errors and threads only; the SDK
// (sdk-js/cache.js) owns defaults, seconds, value encoding and the decoded-value map.
//
// The hot path is one call, lookup(key, knownIdentity) or get(key, knownIdentity), returning a
// small integer and writing numbers into `out` (a Float64Array over native memory, created once)
// instead of allocating result objects:
//
//   code & 3  : kFresh | kStale | kMiss | kWait          (the core's LookupResult::State)
//   code & 4  : kNewValue — the entry is not the one JS already decoded (`knownIdentity`);
//               takeValue(scratch) copies its bytes into the SDK's scratch buffer and pins the
//               entry (PinTable) for the SDK to remember; unpin(identity) when it forgets it
//   code & 8  : kTicket — this caller must fill/fail: takeTicket()
//   out[0] identity of the entry (fresh/stale), out[1] its encoding, out[2] the waiter id (wait),
//   out[3..5] the entry's change stamp (shard, count; count -1: none) and fresh_until (ms),
//   out[6] the value's size in bytes (takeString(keep) gives a string value; see out[9]),
//   out[7..8] the key's hash (high, low 32 bits) from the stamp, for recordHits()
//   out[9] set by takeString(keep): 1 when the string is kept, its entry pinned and watched
//
// Long ASCII values (takeString(true)) may be kept by the SDK as external strings: pinned like
// any kept value, and watched by a RemovalWatch, which wakes the SDK (onWake status 5) when such
// an entry leaves the engine; takeRemoved() then names them, and the SDK drops them with
// unpin(identity, true).
//
// Hits without a call (DESIGN §9): `changes` is a Uint32Array over the engine's change counters
// (zcache::Cache::change_counts). While changes[shard] still equals the stamp's count and the
// clock is before fresh_until, the SDK serves its decoded value for the identity without calling
// lookup(); it writes the key hashes of a sample of those hits into `hits` (a Uint32Array of
// high/low pairs) and reports them with recordHits(n, weight, total): counted at once, fed to the
// eviction policy by the engine's maintenance thread. `realClock`: the engine runs on the
// system clock (Date.now() may be compared with fresh_until); otherwise the SDK asks now().
//
// takeValue()/takeTicket() must be called right after the call that reported them (JS is
// single-threaded; the next call replaces them, dropping an untaken ticket as Cancelled).
//
// Replica tier (options.replicaFile): the binding passes the replica options to the core
// (CacheOptions::replica_options), which opens the zcache::ReplicaStore on the cache's clock when
// it creates the engine; a later NativeCache of a name joins the engine without opening the file
// (Cache::shared: Conflict for another file). Nothing here waits on SQLite on the JS thread
// except opening the file in the constructor: purge() and flush() settle promises through
// a thread-safe function / the libuv pool, and close() drops an engine with a replica on the pool
// (dropping the last handle commits the store's queue and joins its threads).
#pragma once

#include "pin_table.h"
#include "removal_watch.h"
#include "wake_channel.h"

#include <napi.h>
#include <zcache/cache.h>

#include <memory>
#include <optional>

namespace zatabase_node {

class CacheWrap : public Napi::ObjectWrap<CacheWrap> {
 public:
  static constexpr int kFresh = 0, kStale = 1, kMiss = 2, kWait = 3, kNewValue = 4, kTicket = 8;

  static Napi::Function DefineClass(Napi::Env env);
  // new NativeCache(options, onWake)
  explicit CacheWrap(const Napi::CallbackInfo& info);
  ~CacheWrap() override;

  // Idempotent. Returns a promise that resolves once this handle is released: for an engine with
  // a replica that happens on the libuv pool (the last handle commits and closes the file), else
  // at once. `teardown` (the environment's cleanup hook, the destructor): release synchronously.
  Napi::Value Close(bool teardown);

 private:
  zcache::Cache& Engine(Napi::Env env);
  // Writes out[0..1] (and the value to take when it is new) and out[3..5] (the stamp).
  int ValueCode(zcache::EntryRef&& value, double known, const zcache::ChangeStamp* stamp);
  void ExposeChangeCounts(Napi::Env env, Napi::Object self);

  // The hot pair, installed per instance as plain Node-API functions (see InstallFast).
  using FastMethod = Napi::Value (CacheWrap::*)(Napi::Env, Napi::Value, Napi::Value);
  struct FastPath {
    CacheWrap* wrap;  // null once the instance is destroyed
  };
  void InstallFast(Napi::Env env, Napi::Object self, const char* name, FastMethod method);
  Napi::Value Lookup(Napi::Env env, Napi::Value key, Napi::Value known);
  Napi::Value Get(Napi::Env env, Napi::Value key, Napi::Value known);
  Napi::Value TakeValue(const Napi::CallbackInfo& info);
  Napi::Value TakeTicket(const Napi::CallbackInfo& info);
  Napi::Value TakeString(const Napi::CallbackInfo& info);
  Napi::Value Set(const Napi::CallbackInfo& info);
  Napi::Value Fill(const Napi::CallbackInfo& info);
  Napi::Value Fail(const Napi::CallbackInfo& info);
  Napi::Value Has(const Napi::CallbackInfo& info);
  Napi::Value Delete(const Napi::CallbackInfo& info);
  Napi::Value Purge(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value DropTicket(const Napi::CallbackInfo& info);
  Napi::Value Clear(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Unpin(const Napi::CallbackInfo& info);
  Napi::Value TakeRemoved(const Napi::CallbackInfo& info);
  Napi::Value RecordHits(const Napi::CallbackInfo& info);
  Napi::Value Now(const Napi::CallbackInfo& info);
  Napi::Value RunMaintenance(const Napi::CallbackInfo& info);
  Napi::Value CloseMethod(const Napi::CallbackInfo& info);
  Napi::Value Closed(const Napi::CallbackInfo& info);
  Napi::Value EngineId(const Napi::CallbackInfo& info);

  std::shared_ptr<zcache::Cache> engine_;  // empty once closed
  Napi::ObjectReference closed_promise_;  // what close() returns, once called
  WakeChannel* channel_ = nullptr;       // one reference held until Close()
  double* out_ = nullptr;                // the `out` Float64Array's memory
  Napi::Reference<Napi::ArrayBuffer> out_buffer_;
  std::uint32_t* hits_ = nullptr;        // the `hits` Uint32Array's memory (sampled key hashes)
  Napi::Reference<Napi::ArrayBuffer> hits_buffer_;
  zcache::EntryRef pending_value_;
  PinTable pins_;
  std::shared_ptr<RemovalWatch> watch_;  // made and registered at the first kept long string
  zcache::Ticket pending_ticket_;
  std::uint32_t next_waiter_id_ = 1;
  bool closed_ = false;
  std::shared_ptr<FastPath> fast_;
};

}  // namespace zatabase_node
