#include "brain/api/purge_selector.h"

#include <string>

namespace zcache::brain {
namespace {

// Checks one string list; on success adds it to `out` when non-empty.
bool check_list(const nlohmann::json& body, const char* field, std::size_t max_items, nlohmann::json& out,
                FieldError& error) {
  const auto it = body.find(field);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_array()) {
    error = {field, "must be an array of strings"};
    return false;
  }
  if (it->size() > max_items) {
    error = {field, "has " + std::to_string(it->size()) + " items; at most " + std::to_string(max_items) + " are allowed"};
    return false;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const auto& item = (*it)[i];
    if (!item.is_string()) {
      error = {field, "item " + std::to_string(i) + " is not a string"};
      return false;
    }
    const auto& s = item.get_ref<const std::string&>();
    if (s.empty() || s.size() > kMaxPurgeItemBytes) {
      error = {field, "item " + std::to_string(i) + " must be 1.." + std::to_string(kMaxPurgeItemBytes) + " bytes"};
      return false;
    }
  }
  if (!it->empty()) out[field] = *it;
  return true;
}

}  // namespace

Checked<nlohmann::json> parse_purge_selector(const nlohmann::json& body) {
  Checked<nlohmann::json> out;
  if (!body.is_object()) {
    out.error = {"body", "must be a JSON object"};
    return out;
  }
  nlohmann::json selector = nlohmann::json::object();

  if (const auto it = body.find("prefix"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) {
      out.error = {"prefix", "must be a string"};
      return out;
    }
    const auto& prefix = it->get_ref<const std::string&>();
    if (prefix.empty() || prefix.size() > kMaxPurgePrefixBytes) {
      out.error = {"prefix", "must be 1.." + std::to_string(kMaxPurgePrefixBytes) + " bytes"};
      return out;
    }
    selector["prefix"] = prefix;
  }
  if (!check_list(body, "keys", kMaxPurgeKeys, selector, out.error)) return out;
  if (!check_list(body, "tags", kMaxPurgeTags, selector, out.error)) return out;

  if (const auto it = body.find("soft"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) {
      out.error = {"soft", "must be true or false"};
      return out;
    }
    if (it->get<bool>()) selector["soft"] = true;
  }
  if (!selector.contains("prefix") && !selector.contains("keys") && !selector.contains("tags")) {
    out.error = {"body", "give at least one of prefix, keys, tags"};
    return out;
  }
  out.value = std::move(selector);
  return out;
}

}  // namespace zcache::brain
