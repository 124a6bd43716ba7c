// brain/api/request_counters.h — zcache_http_requests_total{route,code}: answered API requests by
// route template and status. Loop thread only (every answer is sent there), so no lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace zcache::brain {

class RequestCounters {
 public:
  using Key = std::pair<std::string, int>;  // route label (bounded set, see route.h), status

  void count(std::string_view route, int status) { ++counts_[Key(std::string(route), status)]; }
  const std::map<Key, std::uint64_t>& counts() const noexcept { return counts_; }

 private:
  std::map<Key, std::uint64_t> counts_;
};

}  // namespace zcache::brain
