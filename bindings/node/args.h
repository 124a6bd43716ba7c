// Readers for native arguments. The SDK validates first (with friendly messages and its
// defaults), but native code never trusts it: each reader checks the JS type and throws the
// argument TypeError naming the argument. Range checks are the core's (InvalidArgument).
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace zatabase_node {

// The UTF-8 bytes of a JS string, on the stack when short (keys are, on the hot path).
class Utf8Arg {
 public:
  Utf8Arg(Napi::Env env, Napi::Value value, std::string_view what);
  Utf8Arg(const Utf8Arg&) = delete;
  Utf8Arg& operator=(const Utf8Arg&) = delete;
  std::string_view view() const noexcept { return {data_, size_}; }

 private:
  char small_[256];
  std::string large_;
  const char* data_ = small_;
  std::size_t size_ = 0;
};

// The bytes of a value to store: a string (as UTF-8) or an ArrayBuffer / ArrayBufferView (read
// in place; the core copies them into the entry).
class BytesArg {
 public:
  BytesArg(Napi::Env env, Napi::Value value, std::string_view what);
  std::string_view view() const noexcept { return view_; }

 private:
  std::string storage_;
  std::string_view view_;
};

std::string StringArg(Napi::Env env, Napi::Value value, std::string_view what);
double NumberArg(Napi::Env env, Napi::Value value, std::string_view what);
bool BoolArg(Napi::Env env, Napi::Value value, std::string_view what);
// undefined → nullopt; else an integer number of milliseconds.
std::optional<std::int64_t> OptionalMsArg(Napi::Env env, Napi::Value value, std::string_view what);
// undefined → empty; else an array of strings.
std::vector<std::string> StringsArg(Napi::Env env, Napi::Value value, std::string_view what);
std::uint8_t EncodingArg(Napi::Env env, Napi::Value value);
// An object of strings → name → value (undefined values are skipped), e.g. environment
// variables copied for another thread. Throws the argument TypeError for anything else.
std::unordered_map<std::string, std::string> StringMapArg(Napi::Env env, Napi::Value value, std::string_view what);

// Entry identities cross into JS as doubles: user-space addresses fit in 53 bits exactly.
inline double IdentityNumber(const void* identity) noexcept {
  return static_cast<double>(reinterpret_cast<std::uintptr_t>(identity));
}

}  // namespace zatabase_node
