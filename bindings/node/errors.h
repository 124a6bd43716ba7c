// The one place where native errors become JS errors.
//
// The classes are defined in JS (sdk-js/errors.js: ZatabaseError and one subclass per core
// ErrorKind, plus the argument TypeError) and handed to the addon once per environment with
// setErrorClasses(); native code only builds them, in MakeError, from one table.
#pragma once

#include <napi.h>
#include <zcache/error.h>

#include <array>
#include <cstddef>
#include <string_view>

namespace zatabase_node {

// The table's rows: every core ErrorKind, then the binding's own argument TypeError.
enum class JsErrorKind : std::size_t {
#define ZCACHE_X(name, code) name,
  ZCACHE_ERROR_KINDS(ZCACHE_X)
#undef ZCACHE_X
  ArgumentType,  // a native argument of the wrong JS type (TypeError, code "invalid_argument")
  Count
};

class ErrorClasses {
 public:
  // classes: {kinds: {"invalid_argument": Class, ...}, typeError: Class}. Every kind is required.
  void Set(Napi::Env env, Napi::Object classes);
  Napi::Function For(JsErrorKind kind) const;

 private:
  std::array<Napi::FunctionReference, static_cast<std::size_t>(JsErrorKind::Count)> by_kind_;
};

// THE function: builds the JS error of `kind` (its class sets `code`) and sets `status`: the HTTP
// status that caused it, 0 when none.
Napi::Error MakeError(Napi::Env env, JsErrorKind kind, std::string_view message, int http_status = 0);

inline JsErrorKind KindOf(zcache::ErrorKind kind) { return static_cast<JsErrorKind>(kind); }
inline Napi::Error MakeError(Napi::Env env, const zcache::Error& e) {
  return MakeError(env, KindOf(e.kind()), e.what(), e.http_status());
}

// Runs a native method body, turning every C++ exception into its JS error: zcache::Error by
// kind, std::bad_alloc as Internal "out of memory", anything else as Internal. Napi::Error
// (already a JS error) passes through.
template <class F>
auto Guarded(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const zcache::Error& e) {
    throw MakeError(env, e);
  } catch (const std::bad_alloc&) {
    throw MakeError(env, JsErrorKind::Internal, "out of memory");
  } catch (const std::exception& e) {
    throw MakeError(env, JsErrorKind::Internal, e.what());
  }
}

// Throws the argument TypeError: "<what> must be <expected>".
[[noreturn]] void ThrowTypeError(Napi::Env env, std::string_view what, std::string_view expected);

}  // namespace zatabase_node
