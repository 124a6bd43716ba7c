// Argument checks shared by every entry point of the engine. Each throws
// Error(InvalidArgument) with a message naming what is wrong.
#pragma once

#include <zcache/cache.h>

#include <string>
#include <string_view>
#include <vector>

namespace zcache::detail {

void validate_key(std::string_view key);
void validate_value(std::string_view value);
void validate_tags(const std::vector<std::string>& tags);
void validate_duration(const char* name, std::int64_t ms);
void validate_selector(const PurgeSelector& selector);
// A replica file's path as the engine opens and compares it: absolute (against the current
// directory) and lexically normal. Throws InvalidArgument for an empty path, Io when the current
// directory cannot be had.
std::string normal_replica_path(const std::string& path);

}  // namespace zcache::detail
