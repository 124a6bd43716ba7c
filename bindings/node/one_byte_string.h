// A JS string over an entry's ASCII value without copying it, where Node offers external strings.
#pragma once

#include <napi.h>
#include <zcache/entry.h>

namespace zatabase_node {

// Shorter values are copied (V8 itself copies short ones). The SDK asks for strings from 512 bytes
// (sdk-js/cache.js KEEP_RAW_BELOW), where an external string already costs less: a get() hit over
// 100k keys measured 806 → 461 ns at 512 bytes, 1,000 → 490 ns at 1 KiB, 1,550 → 530 ns at 4 KiB.
inline constexpr std::size_t kExternalStringMinBytes = 512;

// The value of `entry` (which must be ASCII: EntryRef::value_is_ascii) as a JS string. When long
// enough and Node has node_api_create_external_string_latin1 (Node-API 10; present, experimental,
// since Node 20.4), the string reads the entry's own bytes and keeps the entry alive (with the
// reference taken from `entry`) until it is collected; otherwise it is a copy. `external`, when
// given, tells which.
Napi::String AsciiString(Napi::Env env, zcache::EntryRef entry, bool* external = nullptr);

}  // namespace zatabase_node
