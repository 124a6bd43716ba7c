#include "addon.h"

#include "admin_cli_binding.h"
#include "brain_client_wrap.h"
#include "cache_wrap.h"
#include "clock_wrap.h"

#include <vector>

namespace zatabase_node {

Addon::Addon(Napi::Env env, Napi::Object exports) : env_(env) {
  cache_class = Napi::Persistent(CacheWrap::DefineClass(env));
  clock_class = Napi::Persistent(ClockWrap::DefineClass(env));
  brain_client_class = Napi::Persistent(BrainClientWrap::DefineClass(env));
  DefineAddon(exports, {
      InstanceMethod("setErrorClasses", &Addon::SetErrorClasses),
      InstanceValue("NativeCache", cache_class.Value()),
      InstanceValue("ManualClock", clock_class.Value()),
      InstanceValue("NativeBrainClient", brain_client_class.Value()),
      InstanceValue("runAdminCli", Napi::Function::New(env, RunAdminCli, "runAdminCli")),
  });
  env.AddCleanupHook(CloseAll, this);
}

Addon::~Addon() {
  open_caches_.clear();
  open_clients_.clear();
}

Napi::Value Addon::SetErrorClasses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowTypeError(env, "classes", "an object");
  errors.Set(env, info[0].As<Napi::Object>());
  return env.Undefined();
}

void Addon::CloseAll(Addon* self) {
  // close() unregisters, so iterate over a copy.
  std::vector<CacheWrap*> open(self->open_caches_.begin(), self->open_caches_.end());
  for (CacheWrap* cache : open) cache->Close(true);
  self->open_caches_.clear();
  // Pending calls are dropped, not rejected: no JS runs any more.
  std::vector<BrainClientWrap*> clients(self->open_clients_.begin(), self->open_clients_.end());
  for (BrainClientWrap* client : clients) client->Close(false);
  self->open_clients_.clear();
}

}  // namespace zatabase_node

using ZatabaseNodeAddon = zatabase_node::Addon;
NODE_API_ADDON(ZatabaseNodeAddon)
