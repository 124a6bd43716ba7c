#include "errors.h"

#include "addon.h"

#include <string>

namespace zatabase_node {

void ErrorClasses::Set(Napi::Env env, Napi::Object classes) {
  Napi::Value kinds_value = classes.Get("kinds");
  if (!kinds_value.IsObject()) ThrowTypeError(env, "classes.kinds", "an object of error classes by code");
  Napi::Object kinds = kinds_value.As<Napi::Object>();
  auto take = [&](JsErrorKind kind, Napi::Value cls, std::string_view name) {
    if (!cls.IsFunction()) ThrowTypeError(env, "error class '" + std::string(name) + "'", "a class");
    by_kind_[static_cast<std::size_t>(kind)] = Napi::Persistent(cls.As<Napi::Function>());
  };
#define ZCACHE_X(name, code) take(JsErrorKind::name, kinds.Get(code), code);
  ZCACHE_ERROR_KINDS(ZCACHE_X)
#undef ZCACHE_X
  take(JsErrorKind::ArgumentType, classes.Get("typeError"), "typeError");
}

Napi::Function ErrorClasses::For(JsErrorKind kind) const {
  const Napi::FunctionReference& ref = by_kind_[static_cast<std::size_t>(kind)];
  return ref.IsEmpty() ? Napi::Function() : ref.Value();
}

Napi::Error MakeError(Napi::Env env, JsErrorKind kind, std::string_view message, int http_status) {
  Napi::String text = Napi::String::New(env, message.data(), message.size());
  Napi::Function cls = Addon::Of(env).errors.For(kind);
  Napi::Object error;
  if (cls.IsEmpty()) {
    // Only before sdk-js/errors.js registered its classes (the addon used directly): a plain
    // Error that still carries the stable code.
    error = Napi::Error::New(env, std::string(message)).Value();
    const std::string_view code = kind == JsErrorKind::ArgumentType
                                      ? std::string_view("invalid_argument")
                                      : zcache::error_code(static_cast<zcache::ErrorKind>(kind));
    error.Set("code", Napi::String::New(env, code.data(), code.size()));
  } else {
    error = cls.New({text});
  }
  error.Set("status", Napi::Number::New(env, http_status > 0 ? http_status : 0));
  return Napi::Error(env, error);
}

void ThrowTypeError(Napi::Env env, std::string_view what, std::string_view expected) {
  std::string message;
  message.reserve(what.size() + expected.size() + 10);
  message.append(what).append(" must be ").append(expected);
  throw MakeError(env, JsErrorKind::ArgumentType, message);
}

}  // namespace zatabase_node
