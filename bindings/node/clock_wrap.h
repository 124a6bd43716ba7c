// ManualClock: zcache::ManualClock for tests — time moves only when told to.
#pragma once

#include <napi.h>
#include <zcache/clock.h>

#include <memory>

namespace zatabase_node {

class ClockWrap : public Napi::ObjectWrap<ClockWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit ClockWrap(const Napi::CallbackInfo& info);  // new ManualClock(startMs?)

  // The clock behind a JS value, or null when it is not a ManualClock of this environment.
  static std::shared_ptr<zcache::ManualClock> From(Napi::Env env, Napi::Value value);

 private:
  Napi::Value Now(const Napi::CallbackInfo& info);
  Napi::Value Advance(const Napi::CallbackInfo& info);
  Napi::Value Set(const Napi::CallbackInfo& info);

  std::shared_ptr<zcache::ManualClock> clock_;
};

}  // namespace zatabase_node
