#include "admin_cli_binding.h"

#include "args.h"
#include "errors.h"

#include <zcache/admin_cli.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace zatabase_node {
namespace {

class AdminCliWorker : public Napi::AsyncWorker {
 public:
  AdminCliWorker(Napi::Env env, std::vector<std::string> args, std::unordered_map<std::string, std::string> vars)
      : Napi::AsyncWorker(env, "zatabase.runAdminCli"),
        deferred_(Napi::Promise::Deferred::New(env)),
        args_(std::move(args)),
        vars_(std::move(vars)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {  // a thread-pool thread
    try {
      result_ = zcache::run_admin_cli(args_, [this](std::string_view name) -> std::optional<std::string> {
        auto it = vars_.find(std::string(name));
        if (it == vars_.end()) return std::nullopt;
        return it->second;
      });
    } catch (const std::exception& e) {  // documented never to throw; out of memory still can
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("exitCode", Napi::Number::New(env, result_.exit_code));
    out.Set("out", Napi::String::New(env, result_.out));
    out.Set("err", Napi::String::New(env, result_.err));
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override {
    deferred_.Reject(MakeError(Env(), JsErrorKind::Internal, e.Message()).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  const std::vector<std::string> args_;
  const std::unordered_map<std::string, std::string> vars_;
  zcache::AdminCliResult result_;
};

}  // namespace

Napi::Value RunAdminCli(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) ThrowTypeError(env, "args", "an array of strings");
  std::vector<std::string> args = StringsArg(env, info[0], "args");
  std::unordered_map<std::string, std::string> vars;
  if (!info[1].IsUndefined()) vars = StringMapArg(env, info[1], "env");
  auto* worker = new AdminCliWorker(env, std::move(args), std::move(vars));  // deletes itself when done
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace zatabase_node
