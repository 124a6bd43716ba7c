#include "args.h"

#include "errors.h"

#include <cmath>

namespace zatabase_node {

Utf8Arg::Utf8Arg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (!value.IsString()) ThrowTypeError(env, what, "a string");
  napi_status status = napi_get_value_string_utf8(env, value, small_, sizeof small_, &size_);
  if (status != napi_ok) throw Napi::Error::New(env);
  // Truncation happens on a character boundary, so a result this close to the end may be cut.
  if (size_ + 4 >= sizeof small_) {
    std::size_t full = 0;
    napi_get_value_string_utf8(env, value, nullptr, 0, &full);
    large_.resize(full + 1);
    napi_get_value_string_utf8(env, value, large_.data(), large_.size(), &size_);
    large_.resize(size_);
    data_ = large_.data();
  }
}

BytesArg::BytesArg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (value.IsString()) {
    storage_ = value.As<Napi::String>().Utf8Value();
    view_ = storage_;
  } else if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    const auto* base = static_cast<const char*>(array.ArrayBuffer().Data());
    view_ = {base + array.ByteOffset(), array.ByteLength()};
  } else if (value.IsDataView()) {
    Napi::DataView view = value.As<Napi::DataView>();
    const auto* base = static_cast<const char*>(view.ArrayBuffer().Data());
    view_ = {base + view.ByteOffset(), view.ByteLength()};
  } else if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    view_ = {static_cast<const char*>(buffer.Data()), buffer.ByteLength()};
  } else {
    ThrowTypeError(env, what, "a string, an ArrayBuffer or an ArrayBuffer view");
  }
  if (view_.data() == nullptr) view_ = std::string_view();  // an empty (detached) buffer
}

std::string StringArg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (!value.IsString()) ThrowTypeError(env, what, "a string");
  return value.As<Napi::String>().Utf8Value();
}

double NumberArg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (!value.IsNumber()) ThrowTypeError(env, what, "a number");
  return value.As<Napi::Number>().DoubleValue();
}

bool BoolArg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (!value.IsBoolean()) ThrowTypeError(env, what, "a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::optional<std::int64_t> OptionalMsArg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (value.IsUndefined()) return std::nullopt;
  const double ms = NumberArg(env, value, what);
  // Within ±2^62 ms, so the conversion is defined; the core rejects negatives by name.
  if (!std::isfinite(ms) || std::trunc(ms) != ms || std::fabs(ms) > 4.6e18)
    throw MakeError(env, JsErrorKind::InvalidArgument, std::string(what) + " must be a whole number of milliseconds");
  return static_cast<std::int64_t>(ms);
}

std::vector<std::string> StringsArg(Napi::Env env, Napi::Value value, std::string_view what) {
  std::vector<std::string> out;
  if (value.IsUndefined()) return out;
  if (!value.IsArray()) ThrowTypeError(env, what, "an array of strings");
  Napi::Array array = value.As<Napi::Array>();
  const std::uint32_t n = array.Length();
  out.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) ThrowTypeError(env, std::string(what) + "[" + std::to_string(i) + "]", "a string");
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

std::unordered_map<std::string, std::string> StringMapArg(Napi::Env env, Napi::Value value, std::string_view what) {
  if (!value.IsObject() || value.IsArray()) ThrowTypeError(env, what, "an object of strings");
  std::unordered_map<std::string, std::string> out;
  Napi::Object object = value.As<Napi::Object>();
  Napi::Array names = object.GetPropertyNames();
  for (std::uint32_t i = 0; i < names.Length(); ++i) {
    std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    Napi::Value item = object.Get(name);
    if (item.IsUndefined()) continue;
    out.emplace(name, StringArg(env, item, std::string(what) + "." + name));
  }
  return out;
}

std::uint8_t EncodingArg(Napi::Env env, Napi::Value value) {
  const double e = NumberArg(env, value, "encoding");
  if (!(e >= 0 && e <= 255) || std::trunc(e) != e)
    throw MakeError(env, JsErrorKind::InvalidArgument, "encoding must be an integer in 0..255");
  return static_cast<std::uint8_t>(e);
}

}  // namespace zatabase_node
