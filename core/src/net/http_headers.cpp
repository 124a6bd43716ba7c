// HttpHeaders: a flat vector with case-insensitive lookup. Responses carry a handful of fields,
// so a linear scan beats hashing and keeps the order for callers that forward headers.
#include <zcache/http_client.h>

#include "net/ascii.h"

namespace zcache {

void HttpHeaders::set(std::string_view name, std::string value) {
  std::erase_if(fields_, [&](const Field& f) { return net::iequals(f.first, name); });
  fields_.emplace_back(std::string(name), std::move(value));
}

const std::string* HttpHeaders::find(std::string_view name) const noexcept {
  for (const auto& f : fields_)
    if (net::iequals(f.first, name)) return &f.second;
  return nullptr;
}

std::string_view HttpHeaders::get(std::string_view name, std::string_view fallback) const noexcept {
  const std::string* value = find(name);
  return value ? std::string_view(*value) : fallback;
}

std::vector<std::string_view> HttpHeaders::get_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& f : fields_)
    if (net::iequals(f.first, name)) values.emplace_back(f.second);
  return values;
}

}  // namespace zcache
