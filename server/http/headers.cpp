#include "headers.h"

#include <algorithm>

namespace zcache::http {

namespace {
inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

void Headers::set(std::string_view name, std::string value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::move(value));
}

size_t Headers::remove(std::string_view name) {
  auto it = std::remove_if(fields_.begin(), fields_.end(),
                           [&](const Field& f) { return iequals(f.first, name); });
  size_t n = size_t(fields_.end() - it);
  fields_.erase(it, fields_.end());
  return n;
}

const std::string* Headers::find(std::string_view name) const noexcept {
  for (const auto& f : fields_)
    if (iequals(f.first, name)) return &f.second;
  return nullptr;
}

std::string_view Headers::get(std::string_view name, std::string_view fallback) const noexcept {
  const std::string* v = find(name);
  return v ? std::string_view(*v) : fallback;
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& f : fields_)
    if (iequals(f.first, name)) out.emplace_back(f.second);
  return out;
}

bool Headers::has_token(std::string_view name, std::string_view token) const noexcept {
  for (const auto& f : fields_) {
    if (!iequals(f.first, name)) continue;
    std::string_view rest = f.second;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = trim_ows(rest.substr(0, comma));
      if (iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace zcache::http
