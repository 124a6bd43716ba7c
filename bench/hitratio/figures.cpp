#include "figures.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace zcache::sim {
namespace {

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void write_figures_json(const std::string& path, const std::vector<Figure>& figures) {
  std::string out = "{\"figures\": {";
  for (std::size_t i = 0; i < figures.size(); ++i) {
    const Figure& f = figures[i];
    out += i ? ",\n  " : "\n  ";
    out += json_quote(f.name) + ": {\"value\": " + json_number(f.value) + ", \"unit\": " + json_quote(f.unit);
    if (!f.anchor.empty()) out += ", \"anchor\": " + json_quote(f.anchor);
    if (!f.target.empty()) out += ", \"target\": " + json_quote(f.target);
    out += "}";
  }
  out += "\n}}\n";
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw std::runtime_error("cannot write " + path);
  file << out;
  file.close();
  if (!file) throw std::runtime_error("error writing " + path);
}

}  // namespace zcache::sim
