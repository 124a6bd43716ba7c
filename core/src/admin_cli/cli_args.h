// The `zatabase` command line, parsed: which command, its arguments, and the global options.
// Protocol-free (no network, no output), so every usage mistake is tested on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zcache::admin_cli {

enum class Command { Status, Nodes, Node, Register, Deregister, Metrics, Purge };

struct Invocation {
  // Help was asked for: `help_text` is what to print (and nothing is sent).
  std::optional<std::string> help_text;

  Command command = Command::Status;
  std::string node_id;  // node, deregister, metrics --node

  // register
  std::string endpoint, region;
  std::int64_t capacity_bytes = 0;

  // purge
  std::optional<std::string> prefix;
  std::vector<std::string> keys, tags;
  bool soft = false;

  // global
  std::optional<std::string> url, token;
  std::optional<std::int64_t> timeout_ms;
  bool json = false;
};

// A usage mistake: `message` names what is wrong, `help_command` the help to point at
// ("zatabase cache purge --help").
struct UsageError {
  std::string message;
  std::string help_command;
};

// Either an Invocation or the usage mistake; never throws.
struct ParseResult {
  std::optional<Invocation> invocation;
  std::optional<UsageError> error;
};

ParseResult parse_arguments(const std::vector<std::string>& args);

// "5368709120", "5GiB", "512MiB", "10GB", "1.5TiB" → bytes; nullopt when not a size.
std::optional<std::int64_t> parse_byte_size(const std::string& text);

}  // namespace zcache::admin_cli
