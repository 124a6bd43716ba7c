#include "brain/store/time_format.h"

#include <chrono>
#include <cstdio>

namespace zcache::brain {

std::string format_rfc3339(std::int64_t unix_ms) {
  using namespace std::chrono;
  // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in Unix milliseconds.
  constexpr std::int64_t kMin = -62167219200000;
  constexpr std::int64_t kMax = 253402300799999;
  unix_ms = unix_ms < kMin ? kMin : (unix_ms > kMax ? kMax : unix_ms);

  const sys_time<milliseconds> t{milliseconds{unix_ms}};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{floor<seconds>(t - day)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace zcache::brain
