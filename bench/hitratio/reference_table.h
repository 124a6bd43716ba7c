// The reference table of ../shared/traces/README.md, embedded so that the trace suite prints
// it beside our figures and the tests check our LRU and OPT against it. It is data from the
// README, not something this code computes: keep it in step with the README.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace zcache::sim {

struct ReferenceRow {
  std::string_view trace;
  std::uint64_t requests;
  std::uint64_t distinct_keys;
  std::uint64_t capacity;  // entries
  double lru_percent;
  double opt_percent;
};

inline constexpr ReferenceRow kReferenceRows[] = {
    {"gli", 6015, 2529, 250, 0.91, 17.64},         {"gli", 6015, 2529, 1000, 11.21, 53.13},
    {"gli", 6015, 2529, 2000, 57.41, 57.96},       {"multi2", 26311, 5684, 284, 26.89, 48.65},
    {"multi2", 26311, 5684, 568, 36.92, 54.90},    {"multi2", 26311, 5684, 1421, 48.28, 68.56},
    {"sprite", 133996, 7075, 354, 65.74, 82.35},   {"sprite", 133996, 7075, 708, 86.51, 91.37},
    {"sprite", 133996, 7075, 1769, 93.25, 94.41},  {"ps", 10448, 3083, 154, 12.19, 41.48},
    {"ps", 10448, 3083, 308, 16.33, 54.42},        {"ps", 10448, 3083, 771, 48.55, 63.28},
    {"cs", 6781, 1409, 70, 1.83, 5.96},            {"cs", 6781, 1409, 141, 1.83, 10.15},
    {"cs", 6781, 1409, 352, 1.83, 22.59},          {"cpp", 9047, 1223, 61, 19.35, 71.06},
    {"cpp", 9047, 1223, 122, 75.72, 84.13},        {"cpp", 9047, 1223, 306, 83.60, 86.48},
    {"loop", 505500, 1011, 51, 0.00, 4.95},        {"loop", 505500, 1011, 101, 0.00, 9.89},
    {"loop", 505500, 1011, 253, 0.00, 24.93},      {"zigzag", 52001, 2001, 100, 4.76, 4.76},
    {"zigzag", 52001, 2001, 200, 9.57, 9.57},      {"zigzag", 52001, 2001, 500, 23.99, 23.99},
    {"web07", 76118, 20484, 1024, 50.56, 63.72},   {"web07", 76118, 20484, 2048, 55.66, 68.09},
    {"web07", 76118, 20484, 5121, 62.88, 73.07},
};

inline constexpr std::span<const ReferenceRow> reference_rows() { return kReferenceRows; }

}  // namespace zcache::sim
