// PurgeSelector builders for the tests of the engine and of the replica tier.
#pragma once

#include <zcache/cache.h>

#include <string>
#include <utility>
#include <vector>

namespace zcache::test {

inline PurgeSelector by_keys(std::vector<std::string> k) {
  PurgeSelector s;
  s.keys = std::move(k);
  return s;
}
inline PurgeSelector by_prefix(std::string p) {
  PurgeSelector s;
  s.prefix = std::move(p);
  return s;
}
inline PurgeSelector by_tags(std::vector<std::string> t) {
  PurgeSelector s;
  s.tags = std::move(t);
  return s;
}

}  // namespace zcache::test
