#include "cache_wrap.h"

#include "addon.h"
#include "args.h"
#include "clock_wrap.h"
#include "one_byte_string.h"
#include "ticket_value.h"
#include "errors.h"

#include <zcache/replica.h>

#include <cmath>
#include <cstring>
#include <string>

namespace zatabase_node {
namespace {

constexpr std::size_t kOutSlots = 10;
constexpr std::size_t kHitSlots = 64;  // sampled hits the SDK reports per recordHits() at most

std::uint64_t WholeNumber(Napi::Env env, Napi::Value value, std::string_view what, double max) {
  const double n = NumberArg(env, value, what);
  if (!(n >= 0 && n <= max) || std::trunc(n) != n)
    throw MakeError(env, JsErrorKind::InvalidArgument, std::string(what) + " must be a whole number in 0.." +
                                                           std::to_string(static_cast<std::uint64_t>(max)));
  return static_cast<std::uint64_t>(n);
}

// Options of the NativeCache constructor; every field is optional (the core's defaults apply).
zcache::CacheOptions ReadOptions(Napi::Env env, Napi::Object o) {
  zcache::CacheOptions options;
  auto field = [&](const char* name) { return o.Get(name); };
  if (auto v = field("maxBytes"); !v.IsUndefined()) options.max_bytes = WholeNumber(env, v, "maxBytes", 9007199254740991.0);
  if (auto v = field("shards"); !v.IsUndefined()) options.shards = static_cast<std::uint32_t>(WholeNumber(env, v, "shards", 1 << 20));
  if (auto ms = OptionalMsArg(env, field("defaultTtlMs"), "defaultTtlMs")) options.default_ttl_ms = *ms;
  if (auto ms = OptionalMsArg(env, field("defaultStaleMs"), "defaultStaleMs")) options.default_stale_ms = *ms;
  if (auto ms = OptionalMsArg(env, field("defaultStaleIfErrorMs"), "defaultStaleIfErrorMs"))
    options.default_stale_if_error_ms = *ms;
  if (auto ms = OptionalMsArg(env, field("lockTimeoutMs"), "lockTimeoutMs")) options.lock_timeout_ms = *ms;
  if (auto ms = OptionalMsArg(env, field("softTimeoutMs"), "softTimeoutMs")) options.soft_timeout_ms = *ms;
  if (auto ms = OptionalMsArg(env, field("hardTimeoutMs"), "hardTimeoutMs")) options.hard_timeout_ms = *ms;
  if (auto v = field("ttlJitter"); !v.IsUndefined()) options.ttl_jitter = NumberArg(env, v, "ttlJitter");
  if (auto v = field("backgroundMaintenance"); !v.IsUndefined())
    options.background_maintenance = BoolArg(env, v, "backgroundMaintenance");
  if (auto v = field("clock"); !v.IsUndefined()) {
    options.clock = ClockWrap::From(env, v);
    if (!options.clock) ThrowTypeError(env, "clock", "a ManualClock");
  }
  return options;
}

// The replica options of the NativeCache constructor: absent without `replicaFile` (then the
// other replica fields are refused). The SDK resolves the path against the cwd first.
std::optional<zcache::ReplicaOptions> ReadReplicaOptions(Napi::Env env, Napi::Object o) {
  Napi::Value file = o.Get("replicaFile");
  Napi::Value max_bytes = o.Get("replicaMaxBytes");
  Napi::Value rebuild = o.Get("replicaRebuild");
  if (file.IsUndefined()) {
    if (!max_bytes.IsUndefined() || !rebuild.IsUndefined())
      ThrowTypeError(env, "replicaFile", "a path when replicaMaxBytes or replicaRebuild is given");
    return std::nullopt;
  }
  zcache::ReplicaOptions r;
  r.path = StringArg(env, file, "replicaFile");
  if (r.path.empty()) throw MakeError(env, JsErrorKind::InvalidArgument, "replicaFile must not be empty");
  if (!max_bytes.IsUndefined()) r.max_bytes = WholeNumber(env, max_bytes, "replicaMaxBytes", 9007199254740991.0);
  if (!rebuild.IsUndefined()) r.rebuild_if_unreadable = BoolArg(env, rebuild, "replicaRebuild");
  return r;
}

// flush(): ReplicaStore::flush() on the libuv pool.
class FlushWorker : public Napi::AsyncWorker {
 public:
  FlushWorker(Napi::Env env, std::shared_ptr<zcache::ReplicaStore> store)
      : Napi::AsyncWorker(env, "zatabase.Cache.flush"), deferred_(Napi::Promise::Deferred::New(env)), store_(std::move(store)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 private:
  void Execute() override {
    try {
      store_->flush();
    } catch (const zcache::Error& e) {
      error_ = e;
    } catch (const std::exception& e) {
      error_ = zcache::Error(zcache::ErrorKind::Internal, e.what());
    }
    store_.reset();  // if the engine closed meanwhile, the store closes here, off the JS thread
  }
  void OnOK() override {
    if (error_) deferred_.Reject(MakeError(Env(), *error_).Value());
    else deferred_.Resolve(Env().Undefined());
  }
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<zcache::ReplicaStore> store_;
  std::optional<zcache::Error> error_;
};

// close(): drops an engine handle on the libuv pool. Dropping the last handle of an engine with a
// replica commits the store's queue and joins its threads: measured ≈1 ms with 0–100 writes queued,
// ≈2.4 ms with 1,000 (100-byte values), all of it off the event loop.
class ReleaseWorker : public Napi::AsyncWorker {
 public:
  ReleaseWorker(Napi::Env env, std::shared_ptr<zcache::Cache> engine)
      : Napi::AsyncWorker(env, "zatabase.Cache.close"), deferred_(Napi::Promise::Deferred::New(env)), engine_(std::move(engine)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 private:
  void Execute() override { engine_.reset(); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<zcache::Cache> engine_;
};

// purge() with a replica: the core calls `done` once, on the replica's writer thread (or before
// purge() returns); this thread-safe function, alive (and so ref'd) only while the purge is
// pending, settles the promise on the JS thread.
struct PurgeContext {
  Napi::Promise::Deferred deferred;
  bool settled = false;
};
struct PurgeOutcome {
  zcache::PurgeResult result;
  std::optional<zcache::Error> error;
};
Napi::Object PurgeResultObject(Napi::Env env, const zcache::PurgeResult& r) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("objects_purged", Napi::Number::New(env, static_cast<double>(r.objects_purged)));
  result.Set("bytes_freed", Napi::Number::New(env, static_cast<double>(r.bytes_freed)));
  return result;
}
void SettlePurge(Napi::Env env, Napi::Function, PurgeContext* context, PurgeOutcome* outcome) {
  std::unique_ptr<PurgeOutcome> owned(outcome);
  if (static_cast<napi_env>(env) == nullptr || context->settled) return;
  context->settled = true;
  if (outcome->error) context->deferred.Reject(MakeError(env, *outcome->error).Value());
  else context->deferred.Resolve(PurgeResultObject(env, outcome->result));
}
using PurgeTsfn = Napi::TypedThreadSafeFunction<PurgeContext, PurgeOutcome, SettlePurge>;

// Releases the thread-safe function when the core destroys `done` (after calling it, or without:
// then the finalizer rejects the promise rather than leave it pending).
struct PurgeRelease {
  explicit PurgeRelease(PurgeTsfn tsfn) : tsfn(tsfn) {}
  ~PurgeRelease() { tsfn.Release(); }
  PurgeTsfn tsfn;
};

zcache::EntryOptions ReadEntryOptions(Napi::Env env, const Napi::CallbackInfo& info, std::size_t first) {
  zcache::EntryOptions o;
  o.encoding = EncodingArg(env, info[first]);
  o.ttl_ms = OptionalMsArg(env, info[first + 1], "ttlMs");
  o.stale_ms = OptionalMsArg(env, info[first + 2], "staleMs");
  o.stale_if_error_ms = OptionalMsArg(env, info[first + 3], "staleIfErrorMs");
  o.tags = StringsArg(env, info[first + 4], "tags");
  return o;
}

Napi::Number Int(Napi::Env env, int v) { return Napi::Number::New(env, v); }

}  // namespace

Napi::Function CacheWrap::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<CacheWrap>::DefineClass(env, "NativeCache", {
      InstanceMethod("takeValue", &CacheWrap::TakeValue),
      InstanceMethod("takeTicket", &CacheWrap::TakeTicket),
      InstanceMethod("takeString", &CacheWrap::TakeString),
      InstanceMethod("set", &CacheWrap::Set),
      InstanceMethod("fill", &CacheWrap::Fill),
      InstanceMethod("fail", &CacheWrap::Fail),
      InstanceMethod("has", &CacheWrap::Has),
      InstanceMethod("delete", &CacheWrap::Delete),
      InstanceMethod("purge", &CacheWrap::Purge),
      InstanceMethod("flush", &CacheWrap::Flush),
      InstanceMethod("dropTicket", &CacheWrap::DropTicket),
      InstanceMethod("clear", &CacheWrap::Clear),
      InstanceMethod("stats", &CacheWrap::Stats),
      InstanceMethod("unpin", &CacheWrap::Unpin),
      InstanceMethod("takeRemoved", &CacheWrap::TakeRemoved),
      InstanceMethod("recordHits", &CacheWrap::RecordHits),
      InstanceMethod("now", &CacheWrap::Now),
      InstanceMethod("runMaintenance", &CacheWrap::RunMaintenance),
      InstanceMethod("close", &CacheWrap::CloseMethod),
      InstanceAccessor("closed", &CacheWrap::Closed, nullptr),
      InstanceAccessor("engineId", &CacheWrap::EngineId, nullptr),
  });
}

CacheWrap::CacheWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CacheWrap>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowTypeError(env, "options", "an object");
  if (!info[1].IsFunction()) ThrowTypeError(env, "onWake", "a function");
  Napi::Object o = info[0].As<Napi::Object>();
  Guarded(env, [&] {
    zcache::CacheOptions options = ReadOptions(env, o);
    // The core opens the file (here, on the JS thread) when it creates the engine; a later
    // NativeCache of a name joins it, or gets the core's Conflict.
    options.replica_options = ReadReplicaOptions(env, o);
    Napi::Value name = o.Get("name");
    engine_ = std::make_shared<zcache::Cache>(name.IsUndefined()
                                                  ? zcache::Cache(std::move(options))
                                                  : zcache::Cache::shared(StringArg(env, name, "name"), std::move(options)));
  });
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, kOutSlots * sizeof(double));
  out_ = static_cast<double*>(buffer.Data());
  out_buffer_ = Napi::Persistent(buffer);
  info.This().As<Napi::Object>().Set("out", Napi::Float64Array::New(env, kOutSlots, buffer, 0));
  Napi::ArrayBuffer hits = Napi::ArrayBuffer::New(env, 2 * kHitSlots * sizeof(std::uint32_t));
  hits_ = static_cast<std::uint32_t*>(hits.Data());
  hits_buffer_ = Napi::Persistent(hits);
  info.This().As<Napi::Object>().Set("hits", Napi::Uint32Array::New(env, 2 * kHitSlots, hits, 0));
  ExposeChangeCounts(env, info.This().As<Napi::Object>());
  channel_ = WakeChannel::Create(env, info[1].As<Napi::Function>(), &pins_);
  fast_ = std::make_shared<FastPath>(FastPath{this});
  InstallFast(env, info.This().As<Napi::Object>(), "lookup", &CacheWrap::Lookup);
  InstallFast(env, info.This().As<Napi::Object>(), "get", &CacheWrap::Get);
  Addon::Of(env).Track(this);
}

CacheWrap::~CacheWrap() {
  Close(true);
  fast_->wrap = nullptr;
}

// The hot calls skip node-addon-api's CallbackInfo and the napi_unwrap of `this` (together
// ≈ 40 ns of a ≈ 100 ns call): each instance gets its own functions whose data names it. The
// functions may outlive the instance, so they reach it through a shared FastPath that the
// destructor empties.
void CacheWrap::InstallFast(Napi::Env env, Napi::Object self, const char* name, FastMethod method) {
  struct Data {
    std::shared_ptr<FastPath> fast;
    FastMethod method;
  };
  auto* data = new Data{fast_, method};
  napi_callback cb = [](napi_env raw_env, napi_callback_info info) -> napi_value {
    std::size_t argc = 2;
    napi_value argv[2];
    void* p = nullptr;
    napi_get_cb_info(raw_env, info, &argc, argv, nullptr, &p);
    auto* d = static_cast<Data*>(p);
    Napi::Env env(raw_env);
    try {
      if (argc < 2) argv[1] = argv[0] = env.Undefined();
      CacheWrap* wrap = d->fast->wrap;
      if (wrap == nullptr) throw MakeError(env, JsErrorKind::Closed, "the cache is closed");
      return (wrap->*(d->method))(env, Napi::Value(env, argv[0]), Napi::Value(env, argv[1]));
    } catch (const Napi::Error& e) {
      e.ThrowAsJavaScriptException();
      return nullptr;
    }
  };
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) != napi_ok) {
    delete data;
    throw Napi::Error::New(env);
  }
  napi_add_finalizer(env, fn, data, [](napi_env, void* p, void*) { delete static_cast<Data*>(p); }, nullptr, nullptr);
  self.Set(name, fn);
}

Napi::Value CacheWrap::Close(bool teardown) {
  Napi::Env env = Env();
  if (closed_) return closed_promise_.IsEmpty() ? env.Undefined() : closed_promise_.Value();
  closed_ = true;
  if (watch_) {
    engine_->remove_listener(watch_);
    watch_->Close();  // a removal already past remove_listener finds it closed
    watch_.reset();
  }
  channel_->Close(env);
  channel_->Release();
  channel_ = nullptr;
  pending_value_ = zcache::EntryRef();
  pending_ticket_ = zcache::Ticket();  // an untaken ticket fails as Cancelled
  pins_.Clear();
  Addon::Of(env).Untrack(this);
  std::shared_ptr<zcache::Cache> engine = std::move(engine_);
  if (teardown || !engine->options().replica) {
    engine.reset();
    if (teardown) return env.Undefined();
    auto done = Napi::Promise::Deferred::New(env);
    done.Resolve(env.Undefined());
    closed_promise_ = Napi::Persistent(done.Promise().As<Napi::Object>());
    return closed_promise_.Value();
  }
  auto* worker = new ReleaseWorker(env, std::move(engine));
  closed_promise_ = Napi::Persistent(worker->Promise().As<Napi::Object>());
  worker->Queue();
  return closed_promise_.Value();
}

zcache::Cache& CacheWrap::Engine(Napi::Env env) {
  if (closed_) throw MakeError(env, JsErrorKind::Closed, "the cache is closed");
  return *engine_;
}

// `changes`: a view of the engine's change counters, which the buffer's finalizer keeps alive
// (the counters, not the engine: close() still releases the engine at once). Where external
// buffers are not allowed (napi_no_external_buffers_allowed), `changes` is left out and the SDK
// asks the engine on every hit.
void CacheWrap::ExposeChangeCounts(Napi::Env env, Napi::Object self) {
  auto* counts = new zcache::ChangeCounts(engine_->change_counts());
  void* data = const_cast<std::atomic<std::uint32_t>*>(counts->counts.get());
  napi_value buffer;
  const napi_status status = napi_create_external_arraybuffer(
      env, data, counts->size * sizeof(std::uint32_t),
      [](napi_env, void*, void* hint) { delete static_cast<zcache::ChangeCounts*>(hint); }, counts, &buffer);
  if (status != napi_ok) {
    delete counts;
    Napi::Error::New(env).Value();  // clears the pending error state, if any
    return;
  }
  static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t));
  self.Set("changes", Napi::Uint32Array::New(env, counts->size, Napi::ArrayBuffer(env, buffer), 0));
  self.Set("realClock", Napi::Boolean::New(env, engine_->options().clock->is_real()));
}

int CacheWrap::ValueCode(zcache::EntryRef&& value, double known, const zcache::ChangeStamp* stamp) {
  const double identity = IdentityNumber(value.identity());
  out_[0] = identity;
  out_[3] = stamp ? stamp->shard : 0;
  out_[4] = stamp ? static_cast<double>(stamp->count) : -1;
  out_[5] = static_cast<double>(value.fresh_until_ms());
  out_[6] = static_cast<double>(value.value().size());
  out_[7] = stamp ? static_cast<double>(stamp->key_hash >> 32) : 0;
  out_[8] = stamp ? static_cast<double>(stamp->key_hash & 0xffffffffu) : 0;
  if (identity == known) return 0;
  out_[1] = value.encoding();
  pending_value_ = std::move(value);
  return kNewValue;
}

Napi::Value CacheWrap::Lookup(Napi::Env env, Napi::Value key_arg, Napi::Value known_arg) {
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    Utf8Arg key(env, key_arg, "key");
    const double known = NumberArg(env, known_arg, "knownIdentity");
    const std::uint32_t waiter_id = next_waiter_id_;
    zcache::LookupResult r = cache.lookup(key.view(), channel_->Waiter(waiter_id));
    int code = 0;
    switch (r.state) {
      case zcache::LookupResult::State::Fresh: code = kFresh | ValueCode(std::move(r.value), known, &r.stamp); break;
      case zcache::LookupResult::State::Stale: code = kStale | ValueCode(std::move(r.value), known, &r.stamp); break;
      case zcache::LookupResult::State::Miss: code = kMiss; break;
      case zcache::LookupResult::State::Wait:
        code = kWait;
        ++next_waiter_id_;
        out_[2] = waiter_id;
        channel_->WaiterPending(env);
        break;
    }
    if (r.ticket) {
      pending_ticket_ = std::move(r.ticket);
      code |= kTicket;
    }
    return Int(env, code);
  });
}

Napi::Value CacheWrap::Get(Napi::Env env, Napi::Value key_arg, Napi::Value known_arg) {
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    Utf8Arg key(env, key_arg, "key");
    const double known = NumberArg(env, known_arg, "knownIdentity");
    zcache::GetResult r = cache.get(key.view());
    if (!r.value) return Int(env, kMiss);
    return Int(env, (r.stale ? kStale : kFresh) | ValueCode(std::move(r.value), known, &r.stamp));
  });
}

// takeValue(scratch: Uint8Array) → n: the value's n bytes are now at scratch[0..n) and its
// entry is pinned; or -n when scratch is too small (nothing taken: call again with a larger one).
Napi::Value CacheWrap::TakeValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!pending_value_) throw MakeError(env, JsErrorKind::InvalidArgument, "no value to take: call takeValue() right after the call that reported one");
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    ThrowTypeError(env, "scratch", "a Uint8Array");
  Napi::Uint8Array scratch = info[0].As<Napi::Uint8Array>();
  const std::string_view bytes = pending_value_.value();
  const double n = static_cast<double>(bytes.size());
  if (bytes.size() > scratch.ByteLength()) return Napi::Number::New(env, -n);
  if (!bytes.empty()) std::memcpy(scratch.Data(), bytes.data(), bytes.size());
  pins_.Pin(pending_value_);
  pending_value_ = zcache::EntryRef();
  return Napi::Number::New(env, n);
}

// takeString(keep) → the reported value's bytes as a JS string (UTF-8; invalid sequences become
// U+FFFD). A long ASCII value is not copied: the string reads the entry's bytes and holds the
// entry (AsciiString). With `keep`, such a string is one the SDK may keep: its entry is pinned
// and watched (RemovalWatch) and out[9] = 1; any other string leaves nothing pinned (out[9] = 0).
Napi::Value CacheWrap::TakeString(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!pending_value_) throw MakeError(env, JsErrorKind::InvalidArgument, "no value to take: call takeString() right after the call that reported one");
  out_[9] = 0;
  if (!pending_value_.value_is_ascii()) {
    const std::string_view bytes = pending_value_.value();
    Napi::String s = Napi::String::New(env, bytes.data(), bytes.size());
    pending_value_ = zcache::EntryRef();
    return s;
  }
  zcache::EntryRef entry = info[0].ToBoolean() ? pending_value_ : zcache::EntryRef();
  bool external = false;
  Napi::String s = AsciiString(env, std::move(pending_value_), &external);
  pending_value_ = zcache::EntryRef();
  if (external && entry && !closed_) {
    if (!watch_) {
      watch_ = std::make_shared<RemovalWatch>(channel_);
      engine_->add_listener(watch_);
    }
    if (watch_->Watch(*engine_, entry)) {
      pins_.Pin(entry);
      out_[9] = 1;
    }
  }
  return s;
}

// unpin(identity, watched): the SDK forgot a kept value; `watched` for a kept long string.
Napi::Value CacheWrap::Unpin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double id = NumberArg(env, info[0], "identity");
  const auto* identity = reinterpret_cast<const void*>(static_cast<std::uintptr_t>(id));
  if (watch_ && info[1].ToBoolean()) watch_->Unwatch(identity);
  pins_.Unpin(identity);
  return env.Undefined();
}

// takeRemoved() → the identities of kept long strings whose entries left the engine since the
// last call (see RemovalWatch); they are no longer watched, still pinned.
Napi::Value CacheWrap::TakeRemoved(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::vector<const void*> removed = watch_ ? watch_->TakeRemoved() : std::vector<const void*>{};
  Napi::Array ids = Napi::Array::New(env, removed.size());
  for (std::size_t i = 0; i < removed.size(); ++i) ids.Set(i, Napi::Number::New(env, IdentityNumber(removed[i])));
  return ids;
}

// recordHits(n, weight, total): the SDK served `total` hits without a call, of which n are a
// sample, each standing for `weight` (zcache::Cache::record_hits): their key hashes as (high,
// low) pairs in hits[0..2n).
Napi::Value CacheWrap::RecordHits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    const std::size_t n = WholeNumber(env, info[0], "n", kHitSlots);
    const auto weight = static_cast<std::uint32_t>(WholeNumber(env, info[1], "weight", 64));
    const std::uint64_t total = WholeNumber(env, info[2], "total", 9007199254740991.0);
    std::uint64_t sample[kHitSlots];
    for (std::size_t i = 0; i < n; ++i) sample[i] = (std::uint64_t{hits_[2 * i]} << 32) | hits_[2 * i + 1];
    cache.record_hits({sample, n}, weight, total);
    return env.Undefined();
  });
}

// now() → the engine clock's time in ms (for a ManualClock; see realClock).
Napi::Value CacheWrap::Now(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    return Napi::Number::New(env, static_cast<double>(Engine(env).options().clock->now_ms()));
  });
}

Napi::Value CacheWrap::TakeTicket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!pending_ticket_) throw MakeError(env, JsErrorKind::InvalidArgument, "no ticket to take: call takeTicket() right after the call that reported one");
  return TicketValue(env, std::move(pending_ticket_));
}

// set(key, data, encoding, ttlMs, staleMs, staleIfErrorMs, tags) → stored?
Napi::Value CacheWrap::Set(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    Utf8Arg key(env, info[0], "key");
    BytesArg data(env, info[1], "data");
    zcache::EntryOptions options = ReadEntryOptions(env, info, 2);
    return Napi::Boolean::New(env, cache.set(key.view(), data.view(), options));
  });
}

// fill(ticket, data, encoding, ttlMs, staleMs, staleIfErrorMs, tags) → the served entry's size in
// bytes; its identity is in out[0] and it is pinned (the leader remembers its own JS value).
Napi::Value CacheWrap::Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    zcache::Ticket ticket = zatabase_node::TakeTicket(env, info[0]);
    BytesArg data(env, info[1], "data");
    zcache::EntryOptions options = ReadEntryOptions(env, info, 2);
    zcache::EntryRef served = cache.fill(std::move(ticket), data.view(), options);
    out_[0] = IdentityNumber(served.identity());
    pins_.Pin(served);
    return Napi::Number::New(env, static_cast<double>(served.value().size()));
  });
}

// fail(ticket, message, errorId, knownIdentity) → kMiss: deliver the error (the leader rethrows
// its own); kStale [| kNewValue]: serve the old value (stale-if-error).
Napi::Value CacheWrap::Fail(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    zcache::Ticket ticket = zatabase_node::TakeTicket(env, info[0]);
    std::string message = StringArg(env, info[1], "message");
    const double error_id = NumberArg(env, info[2], "errorId");
    const double known = NumberArg(env, info[3], "knownIdentity");
    zcache::Error error(zcache::ErrorKind::FetchFailed, message);
    error.payload = channel_->ErrorPayload(error_id);
    zcache::FlightResult r = cache.fail(std::move(ticket), std::move(error));
    // Every wake of this flight is queued by now; the release follows them in the same queue.
    channel_->PostErrorRelease(error_id);
    if (r.status == zcache::FlightResult::Status::Value && r.value)
      return Int(env, kStale | ValueCode(std::move(r.value), known, nullptr));
    return Int(env, kMiss);
  });
}

Napi::Value CacheWrap::Has(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    Utf8Arg key(env, info[0], "key");
    return Napi::Boolean::New(env, cache.contains(key.view()));
  });
}

Napi::Value CacheWrap::Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    Utf8Arg key(env, info[0], "key");
    return Napi::Boolean::New(env, cache.erase(key.view()));
  });
}

// purge(keys?, prefix?, tags?, soft) → Promise<{objects_purged, bytes_freed}>: one set of counts
// for memory and the replica file (once the file committed the purge; at once without a replica).
// Argument errors throw; a failed file purge rejects (memory is purged by then).
Napi::Value CacheWrap::Purge(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    zcache::Cache& cache = Engine(env);
    zcache::PurgeSelector selector;
    selector.keys = StringsArg(env, info[0], "keys");
    if (!info[1].IsUndefined()) selector.prefix = StringArg(env, info[1], "prefix");
    selector.tags = StringsArg(env, info[2], "tags");
    const bool soft = BoolArg(env, info[3], "soft");
    const zcache::PurgeMode mode = soft ? zcache::PurgeMode::Soft : zcache::PurgeMode::Hard;
    auto deferred = Napi::Promise::Deferred::New(env);
    if (!cache.options().replica) {
      deferred.Resolve(PurgeResultObject(env, cache.purge(selector, mode)));
      return deferred.Promise();
    }
    auto* context = new PurgeContext{deferred};
    PurgeTsfn tsfn = PurgeTsfn::New(env, "zatabase.Cache.purge", 0, 1, context, [](Napi::Env env, void*, PurgeContext* c) {
      if (!c->settled && static_cast<napi_env>(env) != nullptr)
        c->deferred.Reject(MakeError(env, JsErrorKind::Internal, "the purge was abandoned").Value());
      delete c;
    });
    auto release = std::make_shared<PurgeRelease>(tsfn);
    cache.purge(selector, mode, 0, [release](zcache::PurgeResult r, std::optional<zcache::Error> e) {
      auto* outcome = new PurgeOutcome{r, std::move(e)};
      if (release->tsfn.NonBlockingCall(outcome) != napi_ok) delete outcome;
    });
    return deferred.Promise();
  });
}

// flush() → Promise<void>: resolves once everything written before it is committed to the
// replica file (on the libuv pool); at once without a replica.
Napi::Value CacheWrap::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    const std::shared_ptr<zcache::ReplicaStore>& store = Engine(env).options().replica;
    if (!store) {
      auto deferred = Napi::Promise::Deferred::New(env);
      deferred.Resolve(env.Undefined());
      return deferred.Promise();
    }
    auto* worker = new FlushWorker(env, store);
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  });
}

// dropTicket(ticket): gives up a ticket at once (its flight fails with Cancelled) instead of when
// the garbage collector finds it.
Napi::Value CacheWrap::DropTicket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  zcache::Ticket ticket = zatabase_node::TakeTicket(env, info[0]);
  (void)ticket;
  return env.Undefined();
}

Napi::Value CacheWrap::Clear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    Engine(env).clear();
    return env.Undefined();
  });
}

Napi::Value CacheWrap::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    const zcache::Stats s = Engine(env).stats();
    Napi::Object o = Napi::Object::New(env);
    auto put = [&](const char* name, std::uint64_t v) { o.Set(name, Napi::Number::New(env, static_cast<double>(v))); };
    put("hits", s.hits);
    put("stale_hits", s.stale_hits);
    put("misses", s.misses);
    put("fills", s.fills);
    put("sets", s.sets);
    put("evictions", s.evictions);
    put("expirations", s.expirations);
    put("purged", s.purged);
    put("rejected", s.rejected);
    put("bytes", s.bytes);
    put("entries", s.entries);
    put("max_bytes", s.max_bytes);
    put("replica_reads", s.replica_reads);
    put("replica_hits", s.replica_hits);
    put("promotions", s.promotions);
    if (const auto& store = engine_->options().replica) {
      const zcache::ReplicaStats r = store->stats();  // counters only: no SQLite
      put("replica_bytes", r.bytes);
      put("replica_entries", r.entries);
      put("replica_dropped", r.dropped);
    }
    return o;
  });
}

Napi::Value CacheWrap::RunMaintenance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&]() -> Napi::Value {
    Engine(env).run_maintenance();
    return env.Undefined();
  });
}

Napi::Value CacheWrap::CloseMethod(const Napi::CallbackInfo&) { return Close(false); }

Napi::Value CacheWrap::Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }

Napi::Value CacheWrap::EngineId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Number::New(env, IdentityNumber(Engine(env).id()));
}

}  // namespace zatabase_node
