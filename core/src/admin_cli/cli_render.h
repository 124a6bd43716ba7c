// What `zatabase` prints for a brain's answer: readable tables by default, the JSON with --json.
// Pure functions of the answer, so the output is tested without a brain.
#pragma once

#include "admin_cli/cli_args.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace zcache::admin_cli {

// The output of a successful command (ends with a newline).
std::string render(const Invocation& invocation, const nlohmann::json& result);

// 1536 → "1.5 KiB"; below 1 KiB → "512 B".
std::string human_bytes(std::int64_t bytes);
// 1523847 → "1,523,847".
std::string grouped(std::int64_t n);

}  // namespace zcache::admin_cli
