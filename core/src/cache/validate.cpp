#include "cache/validate.h"

#include <cstdint>
#include <filesystem>
#include <limits>

namespace zcache::detail {
namespace {
[[noreturn]] void invalid(const std::string& message) { throw Error(ErrorKind::InvalidArgument, message); }
}  // namespace

void validate_key(std::string_view key) {
  if (key.empty()) invalid("key must not be empty");
  if (key.size() > kMaxKeyBytes)
    invalid("key is " + std::to_string(key.size()) + " bytes; the limit is " + std::to_string(kMaxKeyBytes));
}

void validate_value(std::string_view value) {
  if (value.size() > std::numeric_limits<std::uint32_t>::max())
    throw Error(ErrorKind::TooLarge, "value is " + std::to_string(value.size()) + " bytes; the limit is 4 GiB");
}

void validate_tags(const std::vector<std::string>& tags) {
  if (tags.size() > kMaxTags)
    invalid("an entry has " + std::to_string(tags.size()) + " tags; the limit is " + std::to_string(kMaxTags));
  for (const auto& tag : tags) {
    if (tag.empty()) invalid("tags must not be empty strings");
    if (tag.size() > kMaxTagBytes)
      invalid("tag is " + std::to_string(tag.size()) + " bytes; the limit is " + std::to_string(kMaxTagBytes));
  }
}

void validate_duration(const char* name, std::int64_t ms) {
  if (ms < 0) invalid(std::string(name) + " must not be negative (got " + std::to_string(ms) + ")");
}

void validate_selector(const PurgeSelector& selector) {
  if (selector.empty()) invalid("purge needs at least one of keys, prefix or tags");
  for (const auto& key : selector.keys) validate_key(key);
  if (selector.prefix && selector.prefix->empty())
    invalid("prefix must not be empty (use clear() to remove everything)");
  for (const auto& tag : selector.tags) {
    if (tag.empty()) invalid("tags must not be empty strings");
    if (tag.size() > kMaxTagBytes)
      invalid("tag is " + std::to_string(tag.size()) + " bytes; the limit is " + std::to_string(kMaxTagBytes));
  }
}

std::string normal_replica_path(const std::string& path) {
  if (path.empty()) invalid("replica options: path must not be empty");
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  if (ec) throw Error(ErrorKind::Io, "replica '" + path + "': cannot make the path absolute: " + ec.message());
  return p.lexically_normal().string();
}

}  // namespace zcache::detail
