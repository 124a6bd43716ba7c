// Byte formats of the replica file that SQL cannot express, and the in-memory twin of a purge's
// SQL (for queued writes and for reads that race a queued purge).
//
// Tag list (entries.tags): (u16 length, bytes)* — the engine's own entry layout.
// Selector (purge_log.selector): u32 key count, (u32 length, bytes)*, u8 has_prefix,
// [u32 length, bytes], u32 tag count, (u32 length, bytes)*. Integers little-endian.
#pragma once

#include <zcache/cache.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zcache::replica {

std::string encode_tags(const std::vector<std::string>& tags);
// False when the bytes are malformed (then `out` is unspecified).
bool decode_tags(std::string_view bytes, std::vector<std::string>& out);

std::string encode_selector(const PurgeSelector& selector);
bool decode_selector(std::string_view bytes, PurgeSelector& out);

// The smallest byte string greater than every string starting with `prefix` (the exclusive
// upper bound of a prefix range); none when the prefix is all 0xFF bytes.
std::optional<std::string> prefix_successor(std::string_view prefix);

// Whether the selector covers an entry with this key and these tags.
bool covers(const PurgeSelector& selector, std::string_view key, const std::vector<std::string>& tags);

}  // namespace zcache::replica
