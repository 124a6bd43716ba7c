// What the crash test's child writes, so that the parent can check it byte for byte.
#pragma once

#include <zcache/replica.h>

#include <cstdint>
#include <string>

namespace zcache::test {

inline constexpr std::int64_t kStormBase = 4'000'000'000'000;  // windows far in the future

inline std::string storm_key(const std::string& prefix, std::int64_t i) { return prefix + std::to_string(i); }

inline std::string storm_value(const std::string& key, std::size_t size = 1024) {
  std::string v;
  v.reserve(size);
  while (v.size() < size) v += key + "|";
  v.resize(size);
  return v;
}

inline ReplicaEntry storm_entry(const std::string& prefix, std::int64_t i) {
  ReplicaEntry e;
  e.key = storm_key(prefix, i);
  e.value = storm_value(e.key);
  e.encoding = static_cast<std::uint8_t>(i % 7);
  e.tags = {"storm", "mod" + std::to_string(i % 10)};
  e.fresh_until = kStormBase + i;
  e.stale_until = kStormBase + 1000 + i;
  e.error_until = kStormBase + 2000 + i;
  return e;
}

}  // namespace zcache::test
