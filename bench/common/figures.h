// bench/common/figures.h — what a bench program reports, and the two forms it reports it in: a
// table on stdout for people, and with --json FILE the {"figures": {...}} that bench/run merges
// into bench/results/SUITE.json (bench/run's contract). Header-only; used by bench/core and
// bench/replica.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace zcache::bench {

struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  std::string anchor;  // optional: what the figure was measured on
  std::string target;  // optional: what it should reach
};

// One row per figure, in the order given; the name column is as wide as the longest name.
inline void print_table(const std::vector<Figure>& figures) {
  int width = 6;
  for (const Figure& f : figures) width = std::max(width, static_cast<int>(f.name.size()));
  std::printf("\n%-*s %12s  %-8s %s\n", width, "figure", "value", "unit", "anchor / target");
  for (const Figure& f : figures) {
    std::string note = f.anchor;
    if (!f.target.empty()) note += (note.empty() ? "target " : "; target ") + f.target;
    std::printf("%-*s %12.2f  %-8s %s\n", width, f.name.c_str(), f.value, f.unit.c_str(), note.c_str());
  }
}

// False when the file cannot be written. Names, units, anchors and targets are plain ASCII
// without quotes or backslashes, so they are written as they are.
inline bool write_json(const std::string& path, const std::vector<Figure>& figures) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (!out) return false;
  std::fprintf(out, "{\"figures\": {");
  for (std::size_t i = 0; i < figures.size(); ++i) {
    const Figure& f = figures[i];
    std::fprintf(out, "%s\n  \"%s\": {\"value\": %.6g, \"unit\": \"%s\"", i ? "," : "", f.name.c_str(), f.value,
                 f.unit.c_str());
    if (!f.anchor.empty()) std::fprintf(out, ", \"anchor\": \"%s\"", f.anchor.c_str());
    if (!f.target.empty()) std::fprintf(out, ", \"target\": \"%s\"", f.target.c_str());
    std::fprintf(out, "}");
  }
  std::fprintf(out, "\n}}\n");
  return std::fclose(out) == 0;
}

}  // namespace zcache::bench
