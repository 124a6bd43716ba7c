#include "addon.h"

#include "cache_wrap.h"
#include "clock_wrap.h"

#include <vector>

namespace zatabase_node {

Addon::Addon(Napi::Env env, Napi::Object exports) : env_(env) {
  cache_class = Napi::Persistent(CacheWrap::DefineClass(env));
  clock_class = Napi::Persistent(ClockWrap::DefineClass(env));
  DefineAddon(exports, {
      InstanceMethod("setErrorClasses", &Addon::SetErrorClasses),
      InstanceValue("NativeCache", cache_class.Value()),
      InstanceValue("ManualClock", clock_class.Value()),
  });
  env.AddCleanupHook(CloseAll, this);
}

Addon::~Addon() { open_caches_.clear(); }

Napi::Value Addon::SetErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowTypeError(env, "classes", "an object");
  errors.Set(env, info[0].As<Napi::Object>());
  return env.Undefined();
}

void Addon::CloseAll(Addon* self) {
  // close() unregisters, so iterate over a copy.
  std::vector<CacheWrap*> open(self->open_caches_.begin(), self->open_caches_.end());
  for (CacheWrap* cache : open) cache->Close();
  self->open_caches_.clear();
}

}  // namespace zatabase_node

using ZatabaseNodeAddon = zatabase_node::Addon;
NODE_API_ADDON(ZatabaseNodeAddon)
