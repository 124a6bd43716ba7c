// The bench programs' output (DESIGN.md §10): a JSON file {"figures": {name: {"value", "unit",
// "anchor"?, "target"?}}} that bench/run merges into bench/results/SUITE.json.
#pragma once

#include <string>
#include <vector>

namespace zcache::sim {

struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  std::string anchor;  // omitted when empty
  std::string target;  // omitted when empty
};

// Throws std::runtime_error if the file cannot be written.
void write_figures_json(const std::string& path, const std::vector<Figure>& figures);

// A JSON string literal for `s`, quotes included.
std::string json_quote(const std::string& s);

}  // namespace zcache::sim
