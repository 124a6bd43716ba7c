#include "one_byte_string.h"

// Declared here rather than by raising NAPI_VERSION (which would require Node-API 10 of every
// Node we load in): weak, so on a Node without it the pointer is null and values are copied.
extern "C" napi_status NAPI_CDECL node_api_create_external_string_latin1(
    napi_env env, char* str, size_t length, napi_finalize finalize_callback, void* finalize_hint,
    napi_value* result, bool* copied) __attribute__((weak));

namespace zatabase_node {
namespace {

// Runs when V8 collects the string (during a GC: it must not call into JS) or, with `copied`,
// before the call returns; either way exactly once.
void ReleaseEntry(napi_env, void*, void* hint) {
  zcache::EntryRef adopted(static_cast<zcache::detail::Entry*>(hint));
}

}  // namespace

Napi::String AsciiString(Napi::Env env, zcache::EntryRef entry, bool* external) {
  const std::string_view bytes = entry.value();
  if (bytes.size() >= kExternalStringMinBytes && node_api_create_external_string_latin1 != nullptr) {
    zcache::detail::Entry* hint = entry.get();
    napi_value result;
    bool copied = false;
    const napi_status status = node_api_create_external_string_latin1(
        env, const_cast<char*>(bytes.data()), bytes.size(), ReleaseEntry, hint, &result, &copied);
    if (status == napi_ok) {
      entry.release_ownership();  // the finalizer owns the reference now (or already dropped it)
      if (external != nullptr) *external = !copied;
      return Napi::String(env, result);
    }
    // Not made (and the finalizer not called): `entry` keeps its reference.
  }
  if (external != nullptr) *external = false;
  return Napi::String::New(env, bytes.data(), bytes.size());
}

}  // namespace zatabase_node
