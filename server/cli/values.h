// Parsers for the values of command-line flags and ZCACHE_* variables. Each returns the value
// or a message saying what is wrong with it (the caller adds which option it was).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace zcache::cli {

// What is wrong with a value (the caller adds which option it was).
struct Problem {
  std::string message;
};
template <class T>
using Parsed = std::variant<T, Problem>;

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "512MiB", "10GB", "1048576", "1.5GiB" → bytes. Units: B, KB/MB/GB/TB (powers of 1000),
// KiB/MiB/GiB/TiB (powers of 1024), case-insensitive. Must be > 0.
Parsed<std::uint64_t> parse_bytes(std::string_view text);
// "30", "30s", "500ms", "5m", "1h", "7d" → milliseconds; a bare number is seconds. Must be >= 0.
Parsed<std::int64_t> parse_duration_ms(std::string_view text);
Parsed<std::uint16_t> parse_port(std::string_view text);  // 0..65535 (0: pick a free one)
Parsed<HostPort> parse_host_port(std::string_view text);   // "127.0.0.1:9001", "[::1]:9001"
// An http:// or https:// URL with a host; returns it without a trailing slash.
Parsed<std::string> parse_http_url(std::string_view text);
Parsed<bool> parse_bool(std::string_view text);
Parsed<std::uint64_t> parse_count(std::string_view text);  // a whole number >= 1  // true/false, 1/0, yes/no, on/off

}  // namespace zcache::cli
