// brain/api/purge_selector.h — validation of the body of POST /v1/cache/purge.
//
// Rules (each failure is a FieldError naming the field → 400):
//  - the body is a JSON object; unknown fields are ignored;
//  - prefix: a non-empty string of at most kMaxPurgePrefixBytes bytes;
//  - keys: an array of at most kMaxPurgeKeys strings, tags: at most kMaxPurgeTags strings; each
//    item non-empty and at most kMaxPurgeItemBytes bytes;
//  - soft: true or false (the worker then marks entries stale instead of dropping them);
//  - null for any of these means "not given" (SDKs serialize unset optionals as null);
//  - at least one of prefix, keys, tags must select something: {} or {"keys": []} alone is refused
//    (field "body"), so a purge never silently does nothing.
// The accepted selector is normalized (only the fields above, nulls and empty lists dropped); that
// is what the purge log records and what every worker receives.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "brain/store/node_registration.h"

namespace zcache::brain {

inline constexpr std::size_t kMaxPurgePrefixBytes = 1024;
inline constexpr std::size_t kMaxPurgeKeys = 10'000;
inline constexpr std::size_t kMaxPurgeTags = 1'000;
inline constexpr std::size_t kMaxPurgeItemBytes = 1024;

Checked<nlohmann::json> parse_purge_selector(const nlohmann::json& body);

}  // namespace zcache::brain
