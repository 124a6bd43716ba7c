#include "clock_wrap.h"

#include "addon.h"
#include "args.h"
#include "errors.h"

#include <cmath>

namespace zatabase_node {
namespace {

std::int64_t WholeMs(Napi::Env env, Napi::Value value, std::string_view what) {
  const double ms = NumberArg(env, value, what);
  if (!std::isfinite(ms) || std::trunc(ms) != ms || std::fabs(ms) > 4.6e18)
    throw MakeError(env, JsErrorKind::InvalidArgument, std::string(what) + " must be a whole number of milliseconds");
  return static_cast<std::int64_t>(ms);
}

}  // namespace

Napi::Function ClockWrap::DefineClass(Napi::Env env) {
  return Napi::ObjectWrap<ClockWrap>::DefineClass(env, "ManualClock", {
      InstanceMethod("now", &ClockWrap::Now),
      InstanceMethod("advance", &ClockWrap::Advance),
      InstanceMethod("set", &ClockWrap::Set),
  });
}

ClockWrap::ClockWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClockWrap>(info) {
  Napi::Env env = info.Env();
  Guarded(env, [&] {
    clock_ = info[0].IsUndefined() ? std::make_shared<zcache::ManualClock>()
                                   : std::make_shared<zcache::ManualClock>(WholeMs(env, info[0], "startMs"));
  });
}

std::shared_ptr<zcache::ManualClock> ClockWrap::From(Napi::Env env, Napi::Value value) {
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(Addon::Of(env).clock_class.Value())) return nullptr;
  return Unwrap(value.As<Napi::Object>())->clock_;
}

Napi::Value ClockWrap::Now(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(clock_->now_ms()));
}

Napi::Value ClockWrap::Advance(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::int64_t ms = WholeMs(env, info[0], "ms");
  if (ms < 0) throw MakeError(env, JsErrorKind::InvalidArgument, "ms must not be negative: a clock does not go back");
  clock_->advance(ms);
  return Napi::Number::New(env, static_cast<double>(clock_->now_ms()));
}

Napi::Value ClockWrap::Set(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  clock_->set(WholeMs(env, info[0], "ms"));
  return env.Undefined();
}

}  // namespace zatabase_node
