#include "admin_cli/cli_render.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>
#include <vector>

namespace zcache::admin_cli {
namespace {

using nlohmann::json;

bool is_bytes_field(std::string_view name) { return name.find("bytes") != std::string_view::npos; }

std::string format_number(std::string_view field, const json& v) {
  if (field == "hit_ratio" && v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", v.get<double>() * 100.0);
    return buf;
  }
  if (field.size() > 3 && field.substr(field.size() - 3) == "_ms" && v.is_number()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f ms", v.get<double>());
    return buf;
  }
  if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    if (is_bytes_field(field) && n >= 1024) return human_bytes(n) + " (" + grouped(n) + " bytes)";
    if (is_bytes_field(field)) return grouped(n) + " bytes";
    return grouped(n);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v.get<double>());
  return buf;
}

std::string format_value(std::string_view field, const json& v) {
  if (v.is_null()) return "-";
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number()) return format_number(field, v);
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// "avg_latency_ms" → "avg latency" (the unit goes with the value).
std::string label(std::string_view field) {
  if (field.size() > 3 && field.substr(field.size() - 3) == "_ms") field.remove_suffix(3);
  std::string name(field);
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// The seed's order of the fields it documents (the JSON object arrives sorted by name); other
// fields follow by name.
std::size_t rank(std::string_view field) {
  static constexpr std::array<std::string_view, 33> order = {
      "node_id", "brain_healthy", "total_nodes", "online_nodes", "total_cache_bytes", "used_cache_bytes",
      "objects_purged", "bytes_freed", "nodes_affected", "nodes_failed", "sequence",
      "endpoint", "region", "status", "total_hits", "total_misses", "hits", "misses", "hit_ratio",
      "bytes_served", "bytes_stored", "bytes_capacity", "capacity_bytes", "used_bytes", "object_count",
      "registered_at", "last_seen_at",
      "evictions", "active_nodes", "avg_latency_ms", "p95_latency_ms", "p99_latency_ms", "collected_at"};
  for (std::size_t i = 0; i < order.size(); ++i)
    if (order[i] == field) return i;
  return order.size();
}

// "  label   value" lines, labels aligned.
std::string key_values(const json& object) {
  if (!object.is_object()) return format_value("", object) + "\n";
  std::vector<std::string> fields;
  for (const auto& [k, v] : object.items()) fields.push_back(k);
  std::stable_sort(fields.begin(), fields.end(),
                   [](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  std::size_t width = 0;
  for (const std::string& k : fields) width = std::max(width, label(k).size());
  std::string out;
  for (const std::string& k : fields) {
    std::string l = label(k);
    out += "  " + l + std::string(width - l.size() + 3, ' ') + format_value(k, object.at(k)) + "\n";
  }
  return out;
}

std::string nodes_table(const json& nodes) {
  if (!nodes.is_array()) return key_values(nodes);
  if (nodes.empty()) return "no nodes registered\n";
  struct Column {
    std::string_view title, field;
    bool bytes;
  };
  static constexpr std::array<Column, 8> columns = {{
      {"NODE ID", "node_id", false}, {"ENDPOINT", "endpoint", false}, {"REGION", "region", false},
      {"STATUS", "status", false}, {"USED", "used_bytes", true}, {"CAPACITY", "capacity_bytes", true},
      {"OBJECTS", "object_count", false}, {"LAST SEEN", "last_seen_at", false},
  }};
  std::vector<std::vector<std::string>> rows;
  for (const json& node : nodes) {
    std::vector<std::string> row;
    for (const Column& c : columns) {
      const json v = node.is_object() && node.contains(c.field) ? node.at(c.field) : json();
      row.push_back(c.bytes && v.is_number_integer() ? human_bytes(v.get<std::int64_t>())
                                                     : format_value(c.field, v));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths;
  for (const Column& c : columns) widths.push_back(c.title.size());
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    return out + "\n";
  };
  std::vector<std::string> titles;
  for (const Column& c : columns) titles.emplace_back(c.title);
  std::string out = line(titles);
  for (const auto& row : rows) out += line(row);
  out += std::to_string(rows.size()) + (rows.size() == 1 ? " node\n" : " nodes\n");
  return out;
}

std::string field_or(const json& object, const char* field, std::string fallback) {
  if (object.is_object() && object.contains(field) && object.at(field).is_string())
    return object.at(field).get<std::string>();
  return fallback;
}

}  // namespace

std::string human_bytes(std::int64_t bytes) {
  static constexpr std::array<std::string_view, 6> units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < units.size()) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[unit].data());
  return buf;
}

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string render(const Invocation& inv, const json& result) {
  if (inv.json) return result.dump(2) + "\n";
  switch (inv.command) {
    case Command::Status: return "Cluster status\n" + key_values(result);
    case Command::Nodes: return nodes_table(result);
    case Command::Node: return "Node " + inv.node_id + "\n" + key_values(result);
    case Command::Register:
      return "Registered node " + field_or(result, "node_id", "(no id returned)") + "\n" + key_values(result);
    case Command::Deregister: return "Deregistered node " + inv.node_id + "\n";
    case Command::Metrics:
      return (inv.node_id.empty() ? std::string("Cluster metrics\n") : "Metrics of node " + inv.node_id + "\n") +
             key_values(result);
    case Command::Purge: return "Purged\n" + key_values(result);
  }
  return key_values(result);
}

}  // namespace zcache::admin_cli
