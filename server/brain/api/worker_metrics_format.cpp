#include "brain/api/worker_metrics_format.h"

#include <cstdint>

#include <nlohmann/json.hpp>

namespace zcache::brain {
namespace {

bool read_counter(const nlohmann::json& body, const char* field, std::uint64_t& out, std::string& error) {
  const auto it = body.find(field);
  if (it == body.end()) {
    error = std::string(field) + ": missing";
    return false;
  }
  if (it->is_number_unsigned() || (it->is_number_integer() && it->get<std::int64_t>() >= 0)) {
    out = it->get<std::uint64_t>();
    return true;
  }
  error = std::string(field) + ": must be a non-negative integer";
  return false;
}

}  // namespace

std::optional<WorkerReport> parse_worker_metrics(const nlohmann::json& body, std::string* error) noexcept {
  std::string why;
  auto fail = [&]() -> std::optional<WorkerReport> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (!body.is_object()) {
    why = "the metrics answer is not a JSON object";
    return fail();
  }
  WorkerReport report;
  MetricCounters& c = report.counters;
  if (!read_counter(body, "hits", c.hits, why) || !read_counter(body, "misses", c.misses, why) ||
      !read_counter(body, "bytes_served", c.bytes_served, why) ||
      !read_counter(body, "bytes_stored", c.bytes_stored, why) ||
      !read_counter(body, "capacity_bytes", c.capacity_bytes, why) ||
      !read_counter(body, "object_count", c.object_count, why) ||
      !read_counter(body, "evictions", c.evictions, why))
    return fail();
  const auto latency = body.find("latency");
  if (latency == body.end()) {
    why = "latency: missing";
    return fail();
  }
  std::string histogram_error;
  auto histogram = histogram_from_json(*latency, &histogram_error);
  if (!histogram) {
    why = "latency: " + histogram_error;
    return fail();
  }
  report.latency = *histogram;
  return report;
}

}  // namespace zcache::brain
