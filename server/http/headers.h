// headers.h — an ordered list of HTTP header fields with case-insensitive lookup.
//
// Kept as a flat vector rather than a map: requests carry a handful of headers, so a linear scan
// beats hashing, order is preserved for forwarding, and repeated fields (Set-Cookie, Via, ...)
// are kept as separate entries exactly as received.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zcache::http {

// ASCII case-insensitive equality, as HTTP field names require (RFC 9110 §5.1).
bool iequals(std::string_view a, std::string_view b) noexcept;

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;  // name as sent, value without surrounding OWS
  using const_iterator = std::vector<Field>::const_iterator;

  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field named `name` by one with `value`.
  void set(std::string_view name, std::string value);
  // Removes every field named `name`; returns how many were removed.
  size_t remove(std::string_view name);

  // The first field named `name`, or null.
  const std::string* find(std::string_view name) const noexcept;
  // The first value, or `fallback` when absent.
  std::string_view get(std::string_view name, std::string_view fallback = {}) const noexcept;
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
  // Every value of a repeated field, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  // True when a comma-separated field (e.g. Connection) lists `token` (case-insensitive).
  bool has_token(std::string_view name, std::string_view token) const noexcept;

  size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  void reserve(size_t n) { fields_.reserve(n); }
  const_iterator begin() const noexcept { return fields_.begin(); }
  const_iterator end() const noexcept { return fields_.end(); }
  // Direct access for the parser, which builds names and values in place.
  std::vector<Field>& fields() noexcept { return fields_; }

 private:
  std::vector<Field> fields_;
};

}  // namespace zcache::http
