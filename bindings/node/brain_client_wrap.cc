#include "brain_client_wrap.h"

#include "addon.h"
#include "args.h"
#include "errors.h"

#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zatabase_node {
namespace {

// ---- JS → JSON (request bodies) --------------------------------------------------------------

// Reads a body the way JSON.stringify would see it, but refuses what it would silently drop or
// mangle (functions, symbols, NaN, class instances) and what it would overflow on (cycles, depth).
class BodyReader {
 public:
  explicit BodyReader(Napi::Env env) : env_(env) {}

  nlohmann::json Read(Napi::Value value, std::string& path, int depth) {
    switch (value.Type()) {
      case napi_null: return nullptr;
      case napi_boolean: return value.As<Napi::Boolean>().Value();
      case napi_string: return value.As<Napi::String>().Utf8Value();
      case napi_number: return Number(value.As<Napi::Number>().DoubleValue(), path);
      case napi_bigint: return BigInt(value, path);
      case napi_object: return Object(value.As<Napi::Object>(), path, depth);
      case napi_undefined:
      case napi_symbol:
      case napi_function:
      case napi_external:
        break;
    }
    ThrowTypeError(env_, path, "a plain object, an array, a string, a finite number, a boolean or null");
  }

 private:
  nlohmann::json Number(double n, const std::string& path) {
    if (!std::isfinite(n)) ThrowTypeError(env_, path, "a finite number (JSON has no NaN or Infinity)");
    // Whole numbers travel as JSON integers (capacity_bytes is one); 2^53 bounds exact doubles.
    if (std::trunc(n) == n && std::fabs(n) <= 9007199254740992.0) return static_cast<std::int64_t>(n);
    return n;
  }

  nlohmann::json BigInt(Napi::Value value, const std::string& path) {
    bool lossless = false;
    std::int64_t i = 0;
    napi_get_value_bigint_int64(env_, value, &i, &lossless);
    if (lossless) return i;
    std::uint64_t u = 0;
    napi_get_value_bigint_uint64(env_, value, &u, &lossless);
    if (lossless) return u;
    ThrowTypeError(env_, path, "a BigInt within 64 bits");
  }

  nlohmann::json Object(Napi::Object object, std::string& path, int depth) {
    if (depth >= BrainClientWrap::kMaxBodyDepth)
      ThrowTypeError(env_, path, "nested at most " + std::to_string(BrainClientWrap::kMaxBodyDepth) + " levels deep");
    for (napi_value ancestor : ancestors_)
      if (object.StrictEquals(Napi::Value(env_, ancestor))) ThrowTypeError(env_, path, "free of cycles");
    ancestors_.push_back(object);
    nlohmann::json out = object.IsArray() ? Array(object.As<Napi::Array>(), path, depth) : Plain(object, path, depth);
    ancestors_.pop_back();
    return out;
  }

  nlohmann::json Array(Napi::Array array, std::string& path, int depth) {
    nlohmann::json out = nlohmann::json::array();
    const std::uint32_t n = array.Length();
    const std::size_t base = path.size();
    for (std::uint32_t i = 0; i < n; ++i) {
      Napi::Value item = array.Get(i);
      path.append("[").append(std::to_string(i)).append("]");
      out.push_back(item.IsUndefined() ? nlohmann::json(nullptr) : Read(item, path, depth + 1));  // as JSON.stringify
      path.resize(base);
    }
    return out;
  }

  nlohmann::json Plain(Napi::Object object, std::string& path, int depth) {
    // Plain: no prototype, or one without a prototype of its own — some realm's Object.prototype
    // (objects made in a vm context or by Jest have their own). Class instances, Dates, Maps,
    // Buffers and boxed primitives all have a longer chain.
    Napi::Value prototype = PrototypeOf(object);
    if (!prototype.IsNull() && !PrototypeOf(prototype).IsNull())
      ThrowTypeError(env_, path, "a plain object or an array (not a class instance, Date, Map or Buffer)");
    napi_value names_value = nullptr;
    if (napi_get_all_property_names(env_, object, napi_key_own_only,
                                    static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                                    napi_key_numbers_to_strings, &names_value) != napi_ok)
      throw Napi::Error::New(env_);
    Napi::Array names(env_, names_value);
    nlohmann::json out = nlohmann::json::object();
    const std::size_t base = path.size();
    const std::uint32_t n = names.Length();
    for (std::uint32_t i = 0; i < n; ++i) {
      Napi::Value name = names.Get(i);
      Napi::Value item = object.Get(name);
      if (item.IsUndefined()) continue;  // as JSON.stringify: an unset optional is absent
      std::string key = name.As<Napi::String>().Utf8Value();
      path.append(".").append(key);
      out[std::move(key)] = Read(item, path, depth + 1);
      path.resize(base);
    }
    return out;
  }

  Napi::Value PrototypeOf(Napi::Value object) {
    napi_value proto = nullptr;
    if (napi_get_prototype(env_, object, &proto) != napi_ok) throw Napi::Error::New(env_);
    return Napi::Value(env_, proto);
  }

  Napi::Env env_;
  std::vector<napi_value> ancestors_;  // the objects being read, outermost first (cycle check)
};

nlohmann::json BodyArg(Napi::Env env, Napi::Value value, const char* what) {
  if (!value.IsObject() || value.IsArray()) ThrowTypeError(env, what, "a plain object");
  std::string path = what;
  return BodyReader(env).Read(value, path, 0);
}

// ---- JSON → JS (answers) ---------------------------------------------------------------------

Napi::Value ToJs(Napi::Env env, const nlohmann::json& j, int depth) {
  if (depth > BrainClientWrap::kMaxResultDepth)
    throw MakeError(env, JsErrorKind::Protocol, "the brain's answer is nested too deeply");
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return env.Null();
    case nlohmann::json::value_t::boolean: return Napi::Boolean::New(env, j.get<bool>());
    // Counters beyond 2^53 lose their low bits, as JSON.parse would.
    case nlohmann::json::value_t::number_integer:
      return Napi::Number::New(env, static_cast<double>(j.get<std::int64_t>()));
    case nlohmann::json::value_t::number_unsigned:
      return Napi::Number::New(env, static_cast<double>(j.get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float: return Napi::Number::New(env, j.get<double>());
    case nlohmann::json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      return Napi::String::New(env, s.data(), s.size());
    }
    case nlohmann::json::value_t::array: {
      Napi::Array out = Napi::Array::New(env, j.size());
      std::uint32_t i = 0;
      for (const nlohmann::json& item : j) out.Set(i++, ToJs(env, item, depth + 1));
      return out;
    }
    case nlohmann::json::value_t::object: {
      Napi::Object out = Napi::Object::New(env);
      for (const auto& [key, item] : j.items())
        out.Set(Napi::String::New(env, key.data(), key.size()), ToJs(env, item, depth + 1));
      return out;
    }
    case nlohmann::json::value_t::binary: {
      const auto& bytes = j.get_binary();
      return Napi::Buffer<std::uint8_t>::Copy(env, bytes.data(), bytes.size());
    }
  }
  return env.Null();
}

// ---- Options ---------------------------------------------------------------------------------

zcache::BrainClientOptions ReadOptions(Napi::Env env, Napi::Value value) {
  if (!value.IsUndefined() && !value.IsObject()) ThrowTypeError(env, "options", "an object");
  zcache::BrainClientOverrides overrides;
  std::optional<std::unordered_map<std::string, std::string>> vars;
  if (value.IsObject()) {
    Napi::Object o = value.As<Napi::Object>();
    if (auto v = o.Get("baseUrl"); !v.IsUndefined()) overrides.base_url = StringArg(env, v, "baseUrl");
    if (auto v = o.Get("token"); !v.IsUndefined()) overrides.token = StringArg(env, v, "token");
    overrides.timeout_ms = OptionalMsArg(env, o.Get("timeoutMs"), "timeoutMs");
    if (auto v = o.Get("enabled"); !v.IsUndefined()) overrides.enabled = BoolArg(env, v, "enabled");
    if (auto v = o.Get("env"); !v.IsUndefined()) vars = StringMapArg(env, v, "env");
  }
  if (!vars) return zcache::from_environment(overrides);  // getenv, on the JS thread
  return zcache::from_environment(overrides, [&vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars->find(std::string(name));
    if (it == vars->end()) return std::nullopt;
    return it->second;
  });
}

}  // namespace

// ---- The channel -----------------------------------------------------------------------------

struct BrainClientWrap::Message {
  std::uint32_t id;
  zcache::BrainResult result;
};

// Shared by the wrap, the thread-safe function (its finalizer drops a reference) and every
// completion the core holds. `open` is cleared by Close() before the core client is destroyed,
// so a completion that fires during or after that finds it closed and drops its message.
struct BrainClientWrap::Channel {
  static void CallJs(Napi::Env env, Napi::Function, Channel* self, Message* message);
  using Tsfn = Napi::TypedThreadSafeFunction<Channel, Message, &Channel::CallJs>;

  // Any thread.
  void Post(Message* message) {
    {
      std::lock_guard lock(mu);
      if (open && tsfn.NonBlockingCall(message) == napi_ok) return;
    }
    delete message;
  }

  std::mutex mu;  // guards `open` against Close() while a core thread posts
  bool open = true;
  Tsfn tsfn;
  BrainClientWrap* wrap = nullptr;  // JS thread only; null once closed
  bool referenced = false;          // JS thread only
};

void BrainClientWrap::Channel::CallJs(Napi::Env env, Napi::Function, Channel* self, Message* message) {
  std::unique_ptr<Message> owned(message);
  // No env: the function is being torn down (aborted at close); the message is only freed.
  if (static_cast<napi_env>(env) == nullptr || self->wrap == nullptr) return;
  try {
    self->wrap->Complete(env, *owned);
  } catch (const Napi::Error& e) {
    // Complete() settles its promise even when converting fails; anything else is a bug.
    napi_fatal_exception(env, e.Value());
  } catch (const std::exception& e) {
    napi_fatal_exception(env, MakeError(env, JsErrorKind::Internal, e.what()).Value());
  }
}

// ---- The class -------------------------------------------------------------------------------

Napi::Function BrainClientWrap::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<BrainClientWrap>::DefineClass(env, "NativeBrainClient", {
      InstanceMethod("getStatus", &BrainClientWrap::GetStatus),
      InstanceMethod("listNodes", &BrainClientWrap::ListNodes),
      InstanceMethod("registerNode", &BrainClientWrap::RegisterNode),
      InstanceMethod("getNode", &BrainClientWrap::GetNode),
      InstanceMethod("deregisterNode", &BrainClientWrap::DeregisterNode),
      InstanceMethod("getNodeMetrics", &BrainClientWrap::GetNodeMetrics),
      InstanceMethod("getMetrics", &BrainClientWrap::GetMetrics),
      InstanceMethod("purge", &BrainClientWrap::Purge),
      InstanceMethod("health", &BrainClientWrap::Health),
      InstanceMethod("close", &BrainClientWrap::CloseMethod),
      InstanceAccessor("closed", &BrainClientWrap::Closed, nullptr),
      InstanceAccessor("config", &BrainClientWrap::Config, nullptr),
  });
}

BrainClientWrap::BrainClientWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BrainClientWrap>(info) {
  Napi::Env env = info.Env();
  Guarded(env, [&] { client_ = std::make_unique<zcache::BrainClient>(ReadOptions(env, info[0])); });
  auto channel = std::make_shared<Channel>();
  channel->wrap = this;
  auto* keep = new std::shared_ptr<Channel>(channel);  // the function's reference, for CallJs
  try {
    channel->tsfn = Channel::Tsfn::New(env, "zatabase.ZatabaseClient", 0, 1, channel.get(),
                                       [](Napi::Env, std::shared_ptr<Channel>* ref, Channel*) { delete ref; }, keep);
  } catch (...) {
    delete keep;
    throw;
  }
  channel->tsfn.Unref(env);  // nothing pending: an idle client must not keep the loop alive
  channel_ = std::move(channel);
  Addon::Of(env).Track(this);
}

BrainClientWrap::~BrainClientWrap() {
  // Garbage collected: nothing was pending (a pending call holds a strong reference to `this`).
  Close(false);
}

Napi::Value BrainClientWrap::Call(Napi::Env env, const Start& start) {
  if (closed_) throw MakeError(env, JsErrorKind::Closed, "the client is closed");
  const std::uint32_t id = next_id_++;
  zcache::BrainClient::Callback done = [channel = channel_, id](zcache::BrainResult result) {
    channel->Post(new Message{id, std::move(result)});
  };
  Napi::Promise::Deferred deferred = Napi::Promise::Deferred::New(env);
  pending_.emplace(id, deferred);
  if (pending_.size() == 1) {
    channel_->tsfn.Ref(env);
    channel_->referenced = true;
    Ref();  // a client with calls pending stays reachable until they settle
  }
  try {
    start(*client_, std::move(done));  // failures arrive through `done`; only memory can throw
  } catch (const std::exception& e) {
    pending_.erase(id);
    if (pending_.empty()) Idle(env);
    deferred.Reject(MakeError(env, JsErrorKind::Internal, e.what()).Value());
  }
  return deferred.Promise();
}

void BrainClientWrap::Complete(Napi::Env env, Message& message) {
  auto it = pending_.find(message.id);
  if (it == pending_.end()) return;  // already rejected by close()
  Napi::Promise::Deferred deferred = it->second;
  pending_.erase(it);
  if (pending_.empty()) Idle(env);
  if (!message.result.ok()) {
    deferred.Reject(MakeError(env, message.result.error()).Value());
    return;
  }
  try {
    deferred.Resolve(ToJs(env, message.result.value(), 0));
  } catch (const Napi::Error& e) {
    deferred.Reject(e.Value());
  } catch (const std::bad_alloc&) {
    deferred.Reject(MakeError(env, JsErrorKind::Internal, "out of memory").Value());
  }
}

void BrainClientWrap::Idle(Napi::Env env) {
  if (channel_->referenced) {
    channel_->tsfn.Unref(env);
    channel_->referenced = false;
  }
  Unref();
}

void BrainClientWrap::Close(bool reject_pending) {
  if (closed_) return;
  closed_ = true;
  Napi::Env env = Env();
  {
    std::lock_guard lock(channel_->mu);
    channel_->open = false;
  }
  channel_->wrap = nullptr;
  std::unordered_map<std::uint32_t, Napi::Promise::Deferred> pending = std::move(pending_);
  pending_.clear();
  if (!pending.empty()) Idle(env);
  channel_->tsfn.Abort();  // messages still queued reach CallJs without an env and are freed
  // Cancels retries and requests in flight; their completions find the channel closed.
  client_.reset();
  if (reject_pending) {
    for (auto& [id, deferred] : pending)
      deferred.Reject(MakeError(env, JsErrorKind::Closed, "the client was closed before the call finished").Value());
  }
  Addon::Of(env).Untrack(this);
}

// ---- Calls -----------------------------------------------------------------------------------
// Each reads its arguments (a bad one throws before anything is pending), then starts the call.

using Done = zcache::BrainClient::Callback;

Napi::Value BrainClientWrap::GetStatus(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&] {
    return Call(info.Env(), [](zcache::BrainClient& c, Done done) { c.get_status(std::move(done)); });
  });
}

Napi::Value BrainClientWrap::ListNodes(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&] {
    return Call(info.Env(), [](zcache::BrainClient& c, Done done) { c.list_nodes(std::move(done)); });
  });
}

Napi::Value BrainClientWrap::RegisterNode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&] {
    return Call(env, [body = BodyArg(env, info[0], "registration")](zcache::BrainClient& c, Done done) {
      c.register_node(body, std::move(done));
    });
  });
}

Napi::Value BrainClientWrap::GetNode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&] {
    return Call(env, [id = StringArg(env, info[0], "nodeId")](zcache::BrainClient& c, Done done) {
      c.get_node(id, std::move(done));
    });
  });
}

Napi::Value BrainClientWrap::DeregisterNode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&] {
    return Call(env, [id = StringArg(env, info[0], "nodeId")](zcache::BrainClient& c, Done done) {
      c.deregister_node(id, std::move(done));
    });
  });
}

Napi::Value BrainClientWrap::GetNodeMetrics(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&] {
    return Call(env, [id = StringArg(env, info[0], "nodeId")](zcache::BrainClient& c, Done done) {
      c.get_node_metrics(id, std::move(done));
    });
  });
}

Napi::Value BrainClientWrap::GetMetrics(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&] {
    return Call(info.Env(), [](zcache::BrainClient& c, Done done) { c.get_metrics(std::move(done)); });
  });
}

Napi::Value BrainClientWrap::Purge(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guarded(env, [&] {
    return Call(env, [body = BodyArg(env, info[0], "request")](zcache::BrainClient& c, Done done) {
      c.purge(body, std::move(done));
    });
  });
}

Napi::Value BrainClientWrap::Health(const Napi::CallbackInfo& info) {
  return Guarded(info.Env(), [&] {
    return Call(info.Env(), [](zcache::BrainClient& c, Done done) { c.health(std::move(done)); });
  });
}

Napi::Value BrainClientWrap::CloseMethod(const Napi::CallbackInfo& info) {
  Close(true);
  return info.Env().Undefined();
}

Napi::Value BrainClientWrap::Closed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), closed_); }

// {baseUrl, timeoutMs, enabled, retries} as resolved from the options and the environment (never
// the token); undefined once closed.
Napi::Value BrainClientWrap::Config(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!client_) return env.Undefined();
  const zcache::BrainClientOptions& o = client_->options();
  Napi::Object out = Napi::Object::New(env);
  out.Set("baseUrl", o.base_url);
  out.Set("timeoutMs", Napi::Number::New(env, static_cast<double>(o.timeout_ms)));
  out.Set("enabled", o.enabled);
  out.Set("retries", o.retries);
  return out;
}

}  // namespace zatabase_node
